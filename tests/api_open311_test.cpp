// Open311 GeoReport v2 end to end against the real server on loopback, on both backends
// (docs/open311.md): discovery, the services from the preset's categories with their groups, a
// definition with attributes, a POST with a key issued by the HQ administrator (form-encoded and
// multipart with a photo), the token, the request by id and by the filters, in JSON and in XML
// (the XML parsed and its shapes checked as in ../shared/reference/open311.md). The request runs
// through the same intake and loop as any case: placed, seen by the office, voided with a note
// that becomes its status_notes. Every bad input gets the specification's error document in the
// format asked, with its status. The key routes refuse everyone but the HQ administrator.
#include "app/open311_service.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <sstream>

#include "storage/ledger_repo.hpp"
#include "support/loop_test.hpp"

namespace civicloop::test {
namespace {

namespace json = boost::json;

// A minimal reader of the schemaless XML the specification uses: elements, text and the five
// predefined entities; no attributes are expected (a test fails on one).
struct Xml {
  std::string name;
  std::string text;
  std::vector<Xml> children;

  const Xml* child(const std::string& n) const {
    for (const auto& c : children) {
      if (c.name == n) return &c;
    }
    return nullptr;
  }
  std::string value(const std::string& n) const {
    const auto* c = child(n);
    return c == nullptr ? std::string("<missing " + n + ">") : c->text;
  }
  std::vector<const Xml*> all(const std::string& n) const {
    std::vector<const Xml*> out;
    for (const auto& c : children) {
      if (c.name == n) out.push_back(&c);
    }
    return out;
  }
};

class XmlReader {
 public:
  explicit XmlReader(std::string s) : s_(std::move(s)) {}
  Xml document() {
    const std::string prolog = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    if (s_.compare(0, prolog.size(), prolog) != 0) throw std::runtime_error("no XML declaration");
    i_ = prolog.size();
    skip_space();
    Xml root = element();
    skip_space();
    if (i_ != s_.size()) throw std::runtime_error("content after the root");
    return root;
  }

 private:
  void skip_space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_])) != 0) ++i_;
  }
  std::string decode(const std::string& t) {
    std::string out;
    for (std::size_t k = 0; k < t.size(); ++k) {
      if (t[k] != '&') {
        out += t[k];
        continue;
      }
      const auto semi = t.find(';', k);
      if (semi == std::string::npos) throw std::runtime_error("bad entity");
      const auto e = t.substr(k + 1, semi - k - 1);
      if (e == "lt")
        out += '<';
      else if (e == "gt")
        out += '>';
      else if (e == "amp")
        out += '&';
      else if (e == "quot")
        out += '"';
      else if (e == "apos")
        out += '\'';
      else
        throw std::runtime_error("unknown entity " + e);
      k = semi;
    }
    return out;
  }
  Xml element() {
    if (s_[i_] != '<') throw std::runtime_error("expected an element at " + std::to_string(i_));
    const auto close = s_.find('>', i_);
    if (close == std::string::npos) throw std::runtime_error("unclosed tag");
    Xml x;
    x.name = s_.substr(i_ + 1, close - i_ - 1);
    if (x.name.find_first_of(" =/") != std::string::npos) {
      throw std::runtime_error("unexpected tag form " + x.name);
    }
    i_ = close + 1;
    std::string text;
    while (true) {
      if (i_ >= s_.size()) throw std::runtime_error("unterminated " + x.name);
      if (s_.compare(i_, 2, "</") == 0) {
        const auto end = s_.find('>', i_);
        if (s_.substr(i_ + 2, end - i_ - 2) != x.name) throw std::runtime_error("mismatched tag");
        i_ = end + 1;
        break;
      }
      if (s_[i_] == '<') {
        x.children.push_back(element());
      } else {
        text += s_[i_++];
      }
    }
    if (!x.children.empty() && text.find_first_not_of(" \n\t\r") != std::string::npos) {
      throw std::runtime_error("mixed content in " + x.name);
    }
    x.text = decode(text);
    return x;
  }
  std::string s_;
  std::size_t i_ = 0;
};

Xml xml(const HttpResponse& r) { return XmlReader(r.body).document(); }

std::string form_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string form(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += form_escape(k) + "=" + form_escape(v);
  }
  return out;
}

const std::map<std::string, std::string> kForm = {
    {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};

class ApiOpen311 : public LoopTest {
 protected:
  void SetUp() override {
    LoopTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    anon_ = server().client();
    const auto [lat, lng] = centre();
    lat_ = lat;
    lng_ = lng;
  }

  // A key issued by the HQ administrator; the secret as shown once.
  std::string issue_key(const std::string& name = "平城随手拍 App", int rate = 0) {
    auto admin = server().login("admin");
    json::object b{{"name", name}, {"contact", "ops@example.org"}};
    if (rate > 0) b["rate_per_minute"] = rate;
    auto r = admin->request("POST", "/api/v1/open311/keys", json::serialize(b));
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return "";
    return std::string(parse(r).at("key").at("api_key").as_string());
  }

  std::vector<std::pair<std::string, std::string>> good_request(const std::string& key) {
    std::ostringstream lat;
    std::ostringstream lng;
    lat.precision(10);
    lng.precision(10);
    lat << lat_;
    lng << lng_;
    return {{"api_key", key},
            {"jurisdiction_id", "pingcheng.datong.gov.cn"},
            {"service_code", "0101"},
            {"lat", lat.str()},
            {"long", lng.str()},
            {"address_string", "永泰路12号"},
            {"description", "楼顶私搭彩钢房"},
            {"first_name", "张三"},
            {"last_name", "李"},
            {"phone", "13800001111"},
            {"email", "zhangsan@example.org"},
            {"attribute[structure_kind]", "roof"},
            {"attribute[area_m2]", "12.5"}};
  }

  HttpResponse post(const std::vector<std::pair<std::string, std::string>>& fields,
                    const std::string& ext = "json",
                    const std::map<std::string, std::string>& headers = kForm) {
    return anon_->request("POST", "/open311/v2/requests." + ext, form(fields), headers);
  }

  // POST, then the token resolved to the id.
  std::int64_t submit(const std::string& key) {
    auto r = post(good_request(key));
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return 0;
    const auto token = std::string(parse(r).at(0).at("token").as_string());
    auto t = anon_->request("GET", "/open311/v2/tokens/" + token + ".json");
    EXPECT_EQ(t.status, 200) << t.body;
    return parse(t).at(0).at("service_request_id").as_int64();
  }

  // The answer is the specification's error document with this status, in JSON.
  void expect_json_error(const HttpResponse& r, int status, const std::string& what) {
    EXPECT_EQ(r.status, status) << what << ": " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8") << what;
    auto v = parse(r);
    ASSERT_TRUE(v.is_array()) << what << ": " << r.body;
    ASSERT_EQ(v.as_array().size(), 1U) << what;
    EXPECT_EQ(v.at(0).at("code").as_int64(), status) << what;
    EXPECT_FALSE(v.at(0).at("description").as_string().empty()) << what;
  }
  void expect_xml_error(const HttpResponse& r, int status, const std::string& what) {
    EXPECT_EQ(r.status, status) << what << ": " << r.body;
    EXPECT_EQ(r.header("content-type"), "text/xml; charset=utf-8") << what;
    auto x = xml(r);
    EXPECT_EQ(x.name, "errors") << what;
    ASSERT_EQ(x.all("error").size(), 1U) << what;
    EXPECT_EQ(x.children[0].value("code"), std::to_string(status)) << what;
    EXPECT_NE(x.children[0].value("description"), "") << what;
  }

  std::unique_ptr<TestClient> anon_;
  double lat_ = 0;
  double lng_ = 0;
};

TEST_P(ApiOpen311, DiscoveryInJsonAndXml) {
  auto r = anon_->request("GET", "/open311/v2/discovery.json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
  auto d = parse(r);
  for (const char* k : {"changeset", "contact", "key_service", "endpoints"}) {
    EXPECT_TRUE(d.as_object().contains(k)) << k;
  }
  const auto& ep = d.at("endpoints").at(0);
  EXPECT_EQ(ep.at("specification").as_string(), "http://wiki.open311.org/GeoReport_v2");
  EXPECT_TRUE(std::string(ep.at("url").as_string()).ends_with("/open311/v2"));
  EXPECT_EQ(ep.at("type").as_string(), "production");
  EXPECT_EQ(ep.at("formats").as_array().size(), 2U);

  auto x = anon_->request("GET", "/open311/v2/discovery.xml");
  ASSERT_EQ(x.status, 200) << x.body;
  EXPECT_EQ(x.header("content-type"), "text/xml; charset=utf-8");
  auto doc = xml(x);
  EXPECT_EQ(doc.name, "discovery");
  EXPECT_NE(doc.value("changeset"), "");
  const auto* eps = doc.child("endpoints");
  ASSERT_NE(eps, nullptr);
  const auto endpoint = eps->all("endpoint");
  ASSERT_EQ(endpoint.size(), 1U);
  const auto formats = endpoint[0]->child("formats")->all("format");
  ASSERT_EQ(formats.size(), 2U);
  EXPECT_EQ(formats[0]->text, "text/xml");
  EXPECT_EQ(formats[1]->text, "application/json");
}

TEST_P(ApiOpen311, ServicesFromTheCategoriesWithGroupsAndADefinitionWithAttributes) {
  auto r = anon_->request("GET", "/open311/v2/services.json?jurisdiction_id=");
  ASSERT_EQ(r.status, 200) << r.body;
  auto list = parse(r).as_array();
  ASSERT_GT(list.size(), 50U);
  const json::object* structure = nullptr;
  for (const auto& s : list) {
    for (const char* k :
         {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}) {
      ASSERT_TRUE(s.as_object().contains(k)) << k;
    }
    if (s.at("service_code").as_string() == "0101") structure = &s.as_object();
  }
  ASSERT_NE(structure, nullptr);
  EXPECT_EQ(structure->at("service_name").as_string(), "私搭乱建");
  EXPECT_EQ(structure->at("group").as_string(), "市容环境");
  EXPECT_TRUE(structure->at("metadata").as_bool());
  EXPECT_EQ(structure->at("type").as_string(), "batch");

  // English by Accept-Language; the same list in XML.
  auto en = anon_->request("GET", "/open311/v2/services.xml", "", {{"Accept-Language", "en"}});
  ASSERT_EQ(en.status, 200) << en.body;
  auto doc = xml(en);
  EXPECT_EQ(doc.name, "services");
  const auto services = doc.all("service");
  ASSERT_EQ(services.size(), list.size());
  bool found = false;
  for (const auto* s : services) {
    if (s->value("service_code") != "0101") continue;
    found = true;
    EXPECT_EQ(s->value("service_name"), "Illegal structure");
    EXPECT_EQ(s->value("group"), "City appearance");
    EXPECT_EQ(s->value("metadata"), "true");
  }
  EXPECT_TRUE(found);

  auto def = anon_->request("GET", "/open311/v2/services/0101.json");
  ASSERT_EQ(def.status, 200) << def.body;
  auto d = parse(def);
  EXPECT_EQ(d.at("service_code").as_string(), "0101");
  const auto& attrs = d.at("attributes").as_array();
  ASSERT_EQ(attrs.size(), 2U);
  EXPECT_EQ(attrs[0].at("code").as_string(), "structure_kind");
  EXPECT_EQ(attrs[0].at("datatype").as_string(), "singlevaluelist");
  EXPECT_TRUE(attrs[0].at("required").as_bool());
  EXPECT_TRUE(attrs[0].at("variable").as_bool());
  EXPECT_EQ(attrs[0].at("order").as_int64(), 1);
  EXPECT_EQ(attrs[0].at("values").as_array().size(), 4U);
  EXPECT_EQ(attrs[0].at("values").at(0).at("key").as_string(), "roof");
  EXPECT_EQ(attrs[0].at("values").at(0).at("name").as_string(), "楼顶");
  EXPECT_EQ(attrs[1].at("datatype").as_string(), "number");

  auto dx = anon_->request("GET", "/open311/v2/services/2103.xml", "", {{"Accept-Language", "en"}});
  ASSERT_EQ(dx.status, 200) << dx.body;
  auto sd = xml(dx);
  EXPECT_EQ(sd.name, "service_definition");
  EXPECT_EQ(sd.value("service_code"), "2103");
  const auto a = sd.child("attributes")->all("attribute");
  ASSERT_EQ(a.size(), 2U);
  for (const char* k : {"variable", "code", "datatype", "required", "datatype_description", "order",
                        "description", "values"}) {
    EXPECT_NE(a[0]->child(k), nullptr) << k;
  }
  EXPECT_EQ(a[0]->value("datatype"), "multivaluelist");
  EXPECT_EQ(a[0]->child("values")->all("value").size(), 3U);
  EXPECT_EQ(a[0]->child("values")->all("value")[0]->value("name"), "A cable from a window");
  EXPECT_EQ(a[1]->value("variable"), "false");

  // A category without attributes has an empty definition.
  auto plain = anon_->request("GET", "/open311/v2/services/0102.json");
  ASSERT_EQ(plain.status, 200);
  EXPECT_TRUE(parse(plain).at("attributes").as_array().empty());
}

TEST_P(ApiOpen311, PostWithAKeyTokenByIdAndByFiltersThroughTheSameLoop) {
  const auto key = issue_key();
  ASSERT_FALSE(key.empty());
  auto r = post(good_request(key));
  ASSERT_EQ(r.status, 201) << r.body;
  auto created = parse(r).as_array();
  ASSERT_EQ(created.size(), 1U);
  EXPECT_FALSE(created[0].as_object().contains("service_request_id"));  // a token instead
  const auto token = std::string(created[0].at("token").as_string());
  EXPECT_FALSE(created[0].at("service_notice").as_string().empty());

  auto t = anon_->request("GET", "/open311/v2/tokens/" + token + ".xml");
  ASSERT_EQ(t.status, 200) << t.body;
  auto tx = xml(t);
  EXPECT_EQ(tx.name, "service_requests");
  ASSERT_EQ(tx.all("request").size(), 1U);
  EXPECT_EQ(tx.children[0].value("token"), token);
  const auto id = std::stoll(tx.children[0].value("service_request_id"));

  // The same intake as any report: placed in its grid, a citizen's source, waiting to be filed;
  // nothing of the submitter's name, phone or e-mail kept.
  auto office = server().login("office");
  auto c = office->request("GET", "/api/v1/cases/" + std::to_string(id));
  ASSERT_EQ(c.status, 200) << c.body;
  const auto kase = parse(c).at("case");
  EXPECT_EQ(kase.at("state").as_string(), "reported");
  EXPECT_EQ(kase.at("source").as_string(), "citizen");
  EXPECT_EQ(kase.at("category").as_string(), "0101");
  EXPECT_EQ(kase.at("grid").at("id").as_int64(), server().unit_id("140213050001-G1"));
  for (const char* secret : {"张三", "13800001111", "zhangsan@example.org"}) {
    EXPECT_EQ(c.body.find(secret), std::string::npos) << secret;
  }

  auto one = anon_->request("GET", "/open311/v2/requests/" + std::to_string(id) + ".json");
  ASSERT_EQ(one.status, 200) << one.body;
  auto q = parse(one).at(0);
  for (const char* k : {"service_request_id", "status", "status_notes", "service_name",
                        "service_code", "description", "agency_responsible", "service_notice",
                        "requested_datetime", "updated_datetime", "expected_datetime", "address",
                        "address_id", "zipcode", "lat", "long", "media_url"}) {
    EXPECT_TRUE(q.as_object().contains(k)) << k;
  }
  EXPECT_EQ(q.at("service_request_id").as_int64(), id);
  EXPECT_EQ(q.at("status").as_string(), "open");
  EXPECT_EQ(q.at("service_code").as_string(), "0101");
  EXPECT_EQ(q.at("description").as_string(), "楼顶私搭彩钢房");
  EXPECT_EQ(q.at("requested_datetime").as_string(), "2026-11-30T09:30:00+08:00");
  EXPECT_NEAR(q.at("lat").as_double(), lat_, 1e-6);
  for (const char* secret : {"张三", "13800001111", "zhangsan@example.org", "平城随手拍"}) {
    EXPECT_EQ(one.body.find(secret), std::string::npos) << secret;
  }

  // The office files and then voids it with a note: closed, the note is its status_notes.
  act(*office, id, R"({"action":"void","note":"经核实为已批准的临时建筑"})");
  auto closed = anon_->request("GET", "/open311/v2/requests/" + std::to_string(id) + ".xml");
  ASSERT_EQ(closed.status, 200) << closed.body;
  auto cx = xml(closed);
  ASSERT_EQ(cx.all("request").size(), 1U);
  const auto& req = cx.children[0];
  EXPECT_EQ(req.value("status"), "closed");
  EXPECT_NE(req.value("status_notes").find("经核实为已批准的临时建筑"), std::string::npos);
  EXPECT_EQ(req.value("service_request_id"), std::to_string(id));
  EXPECT_EQ(req.value("address_id"), "");

  // A second request, open; then the filters.
  const auto second = submit(key);
  ASSERT_GT(second, id);
  auto ids = anon_->request(
      "GET", "/open311/v2/requests.json?service_request_id=" + std::to_string(id) + "," +
                 std::to_string(second) + "&status=open");  // the ids override the status
  ASSERT_EQ(ids.status, 200) << ids.body;
  EXPECT_EQ(parse(ids).as_array().size(), 2U);
  auto open = anon_->request("GET", "/open311/v2/requests.json?status=open&service_code=0101");
  ASSERT_EQ(open.status, 200) << open.body;
  bool has_second = false;
  const auto open_list = parse(open);
  for (const auto& x : open_list.as_array()) {
    EXPECT_EQ(x.at("status").as_string(), "open");
    EXPECT_EQ(x.at("service_code").as_string(), "0101");
    EXPECT_NE(x.at("service_request_id").as_int64(), id);
    has_second = has_second || x.at("service_request_id").as_int64() == second;
  }
  EXPECT_TRUE(has_second);
  auto closed_list = anon_->request("GET", "/open311/v2/requests.xml?status=closed");
  ASSERT_EQ(closed_list.status, 200);
  auto clx = xml(closed_list);
  ASSERT_EQ(clx.all("request").size(), 1U);
  EXPECT_EQ(clx.children[0].value("service_request_id"), std::to_string(id));
  // Dates: the window around the fixture's clock holds both; one before it none.
  auto window = anon_->request(
      "GET",
      "/open311/v2/requests.json?start_date=2026-11-30T00:00:00%2B08:00&end_date=2026-11-30T23:59:"
      "59%2B08:00&service_code=0101");
  ASSERT_EQ(window.status, 200) << window.body;
  EXPECT_EQ(parse(window).as_array().size(), 2U);
  auto before = anon_->request(
      "GET",
      "/open311/v2/requests.json?start_date=2026-11-01T00:00:00Z&end_date=2026-11-29T00:00:00Z");
  ASSERT_EQ(before.status, 200);
  EXPECT_TRUE(parse(before).as_array().empty());
  // Pages: newest first.
  auto p2 = anon_->request("GET", "/open311/v2/requests.json?service_code=0101&page_size=1&page=2");
  ASSERT_EQ(p2.status, 200);
  ASSERT_EQ(parse(p2).as_array().size(), 1U);
  EXPECT_EQ(parse(p2).at(0).at("service_request_id").as_int64(), id);
  // Extensions: the answers to the attributes and the notes of the history.
  auto ext =
      anon_->request("GET", "/open311/v2/requests/" + std::to_string(id) + ".json?extensions=true");
  ASSERT_EQ(ext.status, 200);
  auto e = parse(ext).at(0);
  EXPECT_EQ(e.at("extended_attributes").at("extended_status").as_string(), "CLOSED");
  EXPECT_TRUE(e.at("extended_attributes").at("open311").as_bool());
  ASSERT_EQ(e.at("notes").as_array().size(), 2U);
  EXPECT_EQ(e.at("notes").at(0).at("type").as_string(), "report");
  EXPECT_EQ(e.at("notes").at(1).at("type").as_string(), "void");
  EXPECT_EQ(e.at("notes").at(1).at("description").as_string(), "经核实为已批准的临时建筑");
  bool kind = false;
  for (const auto& a : e.at("attributes").as_array()) {
    if (a.at("code").as_string() == "structure_kind") {
      kind = true;
      EXPECT_EQ(a.at("value").at(0).as_string(), "roof");
    }
  }
  EXPECT_TRUE(kind);
  // Changes since the first report: updated_after.
  auto upd = anon_->request("GET", "/open311/v2/requests.json?updated_after=2026-11-30T01:29:00Z");
  ASSERT_EQ(upd.status, 200);
  EXPECT_EQ(parse(upd).as_array().size(), 2U);
  auto none = anon_->request("GET", "/open311/v2/requests.json?updated_after=2026-11-30T01:31:00Z");
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(parse(none).as_array().empty());
  // The updates of the mySociety extension: the reports and the void.
  auto ups = anon_->request("GET", "/open311/v2/servicerequestupdates.xml");
  ASSERT_EQ(ups.status, 200) << ups.body;
  auto ux = xml(ups);
  EXPECT_EQ(ux.name, "service_request_updates");
  int voids = 0;
  for (const auto* u : ux.all("request_update")) {
    for (const char* k : {"update_id", "service_request_id", "status", "updated_datetime",
                          "description", "media_url"}) {
      EXPECT_NE(u->child(k), nullptr) << k;
    }
    if (u->value("external_status_code") == "void") {
      ++voids;
      EXPECT_EQ(u->value("status"), "closed");
      EXPECT_EQ(u->value("description"), "经核实为已批准的临时建筑");
    }
  }
  EXPECT_EQ(voids, 1);
  // The ledger has the request's link event beside the case's.
  auto lease = server().db().acquire();
  storage::LedgerQuery lq;
  lq.entity_type = "open311_request";
  EXPECT_EQ(storage::LedgerRepo(*lease, 1).list(lq).size(), 2U);
}

TEST_P(ApiOpen311, MultipartWithAPhotoAndAMultiValueAttribute) {
  const auto key = issue_key();
  const std::string boundary = "----civicloop311";
  std::string body;
  auto part = [&](const std::string& name, const std::string& value) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
            value + "\r\n";
  };
  std::ostringstream lat;
  std::ostringstream lng;
  lat.precision(10);
  lng.precision(10);
  lat << lat_;
  lng << lng_;
  part("api_key", key);
  part("service_code", "2103");
  part("lat", lat.str());
  part("long", lng.str());
  part("attribute[hazard][]", "wire_from_window");
  part("attribute[hazard][]", "no_breaker");
  body += "--" + boundary +
          "\r\nContent-Disposition: form-data; name=\"media\"; filename=\"a.jpg\"\r\n"
          "Content-Type: image/jpeg\r\n\r\n" +
          fixture("district_gps.jpg") + "\r\n--" + boundary + "--\r\n";
  auto r = anon_->request("POST", "/open311/v2/requests.xml", body,
                          {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto x = xml(r);
  ASSERT_EQ(x.all("request").size(), 1U);
  const auto token = x.children[0].value("token");
  auto t = anon_->request("GET", "/open311/v2/tokens/" + token + ".json");
  ASSERT_EQ(t.status, 200);
  const auto id = parse(t).at(0).at("service_request_id").as_int64();
  auto office = server().login("office");
  auto c = office->request("GET", "/api/v1/cases/" + std::to_string(id));
  ASSERT_EQ(c.status, 200);
  const auto atts = parse(c).at("attachments").as_array();
  ASSERT_EQ(atts.size(), 1U);
  EXPECT_EQ(atts[0].at("stage").as_string(), "before");
  auto ext =
      anon_->request("GET", "/open311/v2/requests/" + std::to_string(id) + ".json?extensions=true");
  auto attrs = parse(ext).at(0).at("attributes").as_array();
  ASSERT_EQ(attrs.size(), 1U);
  EXPECT_EQ(attrs[0].at("value").as_array().size(), 2U);
}

TEST_P(ApiOpen311, EveryBadInputGetsTheErrorDocumentInTheFormatAsked) {
  const auto key = issue_key();
  auto with = [&](const std::string& name, const std::string& value) {
    auto f = good_request(key);
    bool replaced = false;
    for (auto& [k, v] : f) {
      if (k == name) {
        v = value;
        replaced = true;
      }
    }
    if (!replaced) f.emplace_back(name, value);
    return f;
  };
  auto without = [&](const std::string& name) {
    auto f = good_request(key);
    std::erase_if(f, [&](const auto& p) { return p.first == name; });
    return f;
  };
  expect_json_error(post(without("api_key")), 403, "no key");
  expect_xml_error(post(with("api_key", "1.deadbeef"), "xml"), 403, "wrong key");
  expect_json_error(post(with("api_key", "not-a-key")), 403, "malformed key");
  expect_json_error(post(with("service_code", "9999")), 404, "unknown service");
  expect_xml_error(post(without("service_code"), "xml"), 400, "no service");
  expect_json_error(post(without("attribute[structure_kind]")), 400, "required attribute");
  expect_json_error(post(with("attribute[structure_kind]", "basement")), 400, "not in the list");
  expect_json_error(post(with("attribute[area_m2]", "twelve")), 400, "not a number");
  expect_json_error(post(with("attribute[colour]", "red")), 400, "unknown attribute");
  expect_xml_error(post(with("lat", "39.9"), "xml"), 400, "lat without its long, far away");
  {
    auto f = with("lat", "39.9");
    for (auto& [k, v] : f) {
      if (k == "long") v = "116.4";  // Beijing: outside the district
    }
    expect_json_error(post(f), 400, "outside the area");
  }
  {
    auto f = without("lat");
    std::erase_if(f,
                  [](const auto& p) { return p.first == "long" || p.first == "address_string"; });
    expect_json_error(post(f), 400, "no location");
  }
  expect_json_error(post(with("jurisdiction_id", "elsewhere.gov.cn")), 404, "wrong jurisdiction");
  // Media: fake (text named .jpg) and oversized.
  auto multipart = [&](const std::string& bytes) {
    const std::string b = "xyz311";
    std::string body;
    for (const auto& [k, v] : good_request(key)) {
      body +=
          "--" + b + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n";
    }
    body += "--" + b +
            "\r\nContent-Disposition: form-data; name=\"media\"; filename=\"p.jpg\"\r\n\r\n" +
            bytes + "\r\n--" + b + "--\r\n";
    return anon_->request("POST", "/open311/v2/requests.json", body,
                          {{"Content-Type", "multipart/form-data; boundary=" + b}});
  };
  expect_json_error(multipart("this is not a photo at all"), 400, "fake media");
  const auto photo = fixture("district_gps.jpg");
  const auto limit = server().ctx().settings.max_photo_bytes;
  server().ctx().settings.max_photo_bytes = photo.size() / 2;
  expect_json_error(multipart(photo), 400, "oversized media");
  server().ctx().settings.max_photo_bytes = limit;
  expect_json_error(anon_->request("POST", "/open311/v2/requests.json", "--x\r\nbroken",
                                   {{"Content-Type", "multipart/form-data; boundary=x"}}),
                    400, "broken multipart");
  // Nothing of the refused requests was stored: no case came in through Open311.
  {
    auto lease = server().db().acquire();
    storage::LedgerQuery lq;
    lq.entity_type = "open311_request";
    EXPECT_TRUE(storage::LedgerRepo(*lease, 1).list(lq).empty());
  }

  expect_json_error(anon_->request("GET", "/open311/v2/tokens/nosuchtoken.json"), 404, "token");
  expect_xml_error(anon_->request("GET", "/open311/v2/requests/999999.xml"), 404, "request");
  expect_xml_error(anon_->request("GET", "/open311/v2/requests/abc.xml"), 404, "request id");
  expect_json_error(anon_->request("GET", "/open311/v2/services/9999.json"), 404, "definition");
  expect_json_error(anon_->request("GET", "/open311/v2/requests.json?start_date=yesterday"), 400,
                    "date");
  expect_xml_error(anon_->request("GET", "/open311/v2/requests.xml?end_date=2026-11-30T09:30:00"),
                   400, "date without a zone");
  expect_json_error(anon_->request("GET", "/open311/v2/requests.json?updated_after=2026-13-01"),
                    400, "month 13");
  expect_json_error(
      anon_->request("GET",
                     "/open311/v2/"
                     "requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z"),
      400, "over 90 days");
  expect_json_error(anon_->request("GET", "/open311/v2/requests.json?status=pending"), 400,
                    "status");
  expect_json_error(anon_->request("GET", "/open311/v2/requests.json?page_size=5000"), 400,
                    "page size");
  expect_json_error(anon_->request("GET", "/open311/v2/requests.json?extensions=yes"), 400,
                    "extensions");
  expect_json_error(anon_->request("GET", "/open311/v2/servicerequestupdates.json?start_date=x"),
                    400, "updates date");
  // A wrong extension: 400 in XML, the required format (in JSON when it asked for JSON).
  expect_xml_error(anon_->request("GET", "/open311/v2/services.html"), 400, "html");
  expect_xml_error(anon_->request("GET", "/open311/v2/requests.xmll"), 400, "xmll");
  expect_xml_error(anon_->request("GET", "/open311/v2/services"), 400, "no suffix");
  expect_xml_error(post(good_request(key), "txt"), 400, "POST txt");
  expect_xml_error(anon_->request("GET", "/open311/v2/services/0101.yaml"), 400, "definition yaml");
  expect_json_error(anon_->request("GET", "/open311/v2/nothing.json"), 404, "unknown resource");
  expect_json_error(anon_->request("GET", "/open311/v2/discovery.json?jurisdiction_id=x.org"), 404,
                    "unknown jurisdiction");

  // The description is in the asker's language (errors.json), never a C++ literal.
  auto zh = post(without("api_key"));
  auto en =
      post(without("api_key"), "json",
           {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept-Language", "en"}});
  EXPECT_NE(parse(zh).at(0).at("description").as_string(),
            parse(en).at(0).at("description").as_string());
  EXPECT_NE(std::string(parse(en).at(0).at("description").as_string()).find("api_key"),
            std::string::npos);
}

TEST_P(ApiOpen311, KeysAreThrottledAndRevokedByTheAdministratorOnly) {
  const auto key = issue_key("限速测试", 2);
  EXPECT_GT(submit(key), 0);
  EXPECT_GT(submit(key), 0);
  auto third = post(good_request(key));
  expect_json_error(third, 429, "past the window");
  EXPECT_FALSE(third.header("retry-after").empty());
  // A minute later the window is open again.
  server().clock().advance(61'000);
  EXPECT_GT(submit(key), 0);

  auto admin = server().login("admin");
  auto list = admin->request("GET", "/api/v1/open311/keys");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto items = parse(list).at("items").as_array();
  ASSERT_EQ(items.size(), 1U);
  EXPECT_FALSE(items[0].as_object().contains("api_key"));  // the secret is shown once
  EXPECT_EQ(list.body.find(key.substr(key.find('.') + 1)), std::string::npos);
  EXPECT_TRUE(key.starts_with(std::string(items[0].at("key_prefix").as_string())));
  const auto kid = items[0].at("id").as_int64();

  // The office, a leader and a citizen may not issue, list or revoke keys.
  for (const char* who : {"office", "leader", "citizen"}) {
    auto c = server().login(who);
    EXPECT_EQ(c->request("POST", "/api/v1/open311/keys", R"({"name":"x"})").status, 403) << who;
    EXPECT_EQ(c->request("GET", "/api/v1/open311/keys").status, 403) << who;
    EXPECT_EQ(c->request("POST", "/api/v1/open311/keys/" + std::to_string(kid) + "/revoke").status,
              403)
        << who;
  }
  EXPECT_EQ(anon_->request("GET", "/api/v1/open311/keys").status, 401);
  EXPECT_EQ(admin->request("POST", "/api/v1/open311/keys", R"({"name":""})").status, 400);

  auto rv = admin->request("POST", "/api/v1/open311/keys/" + std::to_string(kid) + "/revoke");
  ASSERT_EQ(rv.status, 200) << rv.body;
  EXPECT_FALSE(parse(rv).at("key").at("active").as_bool());
  EXPECT_EQ(
      admin->request("POST", "/api/v1/open311/keys/" + std::to_string(kid) + "/revoke").status,
      409);
  EXPECT_EQ(admin->request("POST", "/api/v1/open311/keys/999/revoke").status, 404);
  server().clock().advance(61'000);
  expect_xml_error(post(good_request(key), "xml"), 403, "revoked key");

  auto lease = server().db().acquire();
  storage::LedgerQuery lq;
  lq.entity_type = "open311_key";
  const auto events = storage::LedgerRepo(*lease, 1).list(lq);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].action, "revoke");  // newest first
  EXPECT_EQ(events[1].action, "issue");
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiOpen311, ::testing::ValuesIn(test_backends()), backend_name);

}  // namespace
}  // namespace civicloop::test
