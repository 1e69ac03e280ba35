DROP TABLE bulletin_settings;
DROP TABLE bulletin_recipients;
DROP TABLE bulletins;
