// civicloop: wiring and the command line. No rule lives here.
//
//   civicloop serve   [--config FILE] [--db URL] [--listen HOST:PORT] [--web-root DIR]
//                     [--threads N] [--media-dir DIR] [--secure-cookies] [--trusted-proxies LIST]
//                     [--client-ip-header NAME] [--ops-allow LIST] [--webhook-allow LIST]
//                     [--anchor-file FILE --anchor-key-file FILE] [--anchor-interval-seconds N]
//                     [--kpi-interval-seconds N]
//   civicloop init    --preset NAME [--demo] [--db URL] [--presets-dir DIR]
//   civicloop migrate [--db URL]
//   civicloop user add --username U (--password P | --password-stdin) --role R [--unit ID|CODE]
//                      [--display-name NAME] [--tenant CODE] [--db URL]
//   civicloop user passwd  --username U (--password P | --password-stdin) [--tenant CODE]
//   civicloop user disable --username U [--tenant CODE]
//   civicloop ledger verify [--db URL] [--anchors FILE --public-key HEX|FILE ...]
//   civicloop ledger keygen --key FILE
//   civicloop ledger replay --check [--db URL]
//   civicloop kpi rebuild [--db URL]
//   civicloop import cases FILE.csv|FILE.xlsx --mapping MAPPING.json [--report REFUSED.csv]
//                    [--tenant CODE] [--db URL]
//   civicloop backup  DIR [--config FILE] [--db URL] [--media-dir DIR] [--anchor-file FILE]
//                     [--anchor-key-file FILE]
//   civicloop restore DIR [--config FILE] [--db URL] [--media-dir DIR] [--anchor-file FILE]
//   civicloop migrate-db --from sqlite:PATH --to postgresql://...
#include <sodium.h>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "api/api.hpp"
#include "app/anchor_file.hpp"
#include "app/anchor_service.hpp"
#include "app/backup_service.hpp"
#include "app/case_import.hpp"
#include "app/context.hpp"
#include "app/kpi_service.hpp"
#include "app/ledger_replay.hpp"
#include "app/ledger_service.hpp"
#include "app/serve_config.hpp"
#include "app/structure_io.hpp"
#include "app/user_service.hpp"
#include "http/errors.hpp"
#include "http/server.hpp"
#include "jobs/scheduler.hpp"
#include "media/image.hpp"
#include "storage/account_repo.hpp"
#include "storage/db.hpp"
#include "storage/org_repo.hpp"

namespace {

using namespace civicloop;
namespace fs = std::filesystem;

constexpr const char* kUsage =
    R"(civicloop — 创建全国文明城市指挥平台 / Civilized City campaign platform

Usage:
  civicloop serve   [--config FILE] [--db URL] [--listen HOST:PORT] [--web-root DIR]
                    [--threads N] [--media-dir DIR] [--secure-cookies] [--trusted-proxies LIST]
                    [--client-ip-header NAME] [--ops-allow LIST] [--webhook-allow LIST]
                    [--anchor-file FILE --anchor-key-file FILE] [--anchor-interval-seconds N]
                    [--kpi-interval-seconds N]
  civicloop init    --preset NAME [--demo] [--db URL] [--presets-dir DIR]
  civicloop migrate [--db URL]
  civicloop user add     --username U (--password P | --password-stdin) --role ROLE
                         [--unit ID|CODE] [--display-name NAME] [--tenant CODE] [--db URL]
  civicloop user passwd  --username U (--password P | --password-stdin) [--tenant CODE] [--db URL]
  civicloop user disable --username U [--tenant CODE] [--db URL]
  civicloop ledger verify [--db URL] [--anchors FILE --public-key HEX|FILE ...]
  civicloop ledger keygen --key FILE
  civicloop ledger replay --check [--db URL]
  civicloop kpi rebuild [--db URL]
  civicloop import cases FILE.csv|FILE.xlsx --mapping MAPPING.json [--report REFUSED.csv]
                         [--tenant CODE] [--db URL]
  civicloop backup  DIR [--config FILE] [--db URL] [--media-dir DIR] [--anchor-file FILE]
                    [--anchor-key-file FILE]
  civicloop restore DIR [--config FILE] [--db URL] [--media-dir DIR] [--anchor-file FILE]
  civicloop migrate-db --from sqlite:PATH --to postgresql://...
  civicloop version

--db takes sqlite:PATH (default sqlite:var/civicloop.db) or a postgresql:// URL.
serve reads FILE (key = value lines), then CIVICLOOP_<KEY> variables, then options; LIST is
comma-separated addresses, CIDR blocks or host names. See docs/operations.md.
ledger verify checks each tenant's hash chain and, with --anchors, the signed checkpoints of its
head (--public-key repeated for old keys after a rotation); exit 0 intact, 3 broken.
ledger keygen writes a new anchor signing key (0600) and FILE.pub; see docs/security.md.
import cases brings in past work orders (12345, 数字城管) keeping their numbers; run it again to
resume, rows already there are skipped. Refused rows go to REFUSED.csv (default FILE.refused.csv);
exit 0 done, 1 the file or the mapping is wrong. See docs/operations.md.
backup copies the database (while the server serves), the media directory and the anchor file
into DIR, which must be new or empty, with a manifest of every file's sha256; it reads the same
--config, CIVICLOOP_* variables and options as serve. restore checks the manifest, fills an empty
place and verifies the ledger; migrate-db moves a district from SQLite into an empty PostgreSQL
database. exit 0 done, 1 refused or failed, 3 the restored or moved ledger does not verify.
Roles: hq_admin hq_staff leader supervisor task_force_member unit_operator grid_worker citizen
)";

struct Args {
  std::vector<std::string> words;                       // positional
  std::map<std::string, std::string> options;           // --name value
  std::map<std::string, bool> flags;                    // --name
  std::map<std::string, std::vector<std::string>> all;  // every value of a repeated --name

  std::string get(const std::string& name, std::string fallback = "") const {
    auto it = options.find(name);
    return it == options.end() ? fallback : it->second;
  }
  bool has(const std::string& name) const { return options.contains(name) || flags.contains(name); }
};

const std::map<std::string, bool>& known_options() {
  // name -> takes a value
  static const std::map<std::string, bool> m = {
      {"db", true},
      {"listen", true},
      {"web-root", true},
      {"threads", true},
      {"preset", true},
      {"demo", false},
      {"presets-dir", true},
      {"username", true},
      {"password", true},
      {"password-stdin", false},
      {"role", true},
      {"unit", true},
      {"display-name", true},
      {"tenant", true},
      {"help", false},
      {"media-dir", true},
      {"config", true},
      {"secure-cookies", false},
      {"trusted-proxies", true},
      {"client-ip-header", true},
      {"ops-allow", true},
      {"webhook-allow", true},
      {"anchor-file", true},
      {"anchor-key-file", true},
      {"anchor-interval-seconds", true},
      {"kpi-interval-seconds", true},
      {"key", true},
      {"anchors", true},
      {"public-key", true},
      {"check", false},
      {"mapping", true},
      {"report", true},
      {"from", true},
      {"to", true},
  };
  return m;
}

std::optional<Args> parse_args(int argc, char** argv, std::string& error) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string w = argv[i];
    if (w.rfind("--", 0) == 0) {
      std::string name = w.substr(2);
      std::optional<std::string> value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      auto it = known_options().find(name);
      if (it == known_options().end()) {
        error = "unknown option --" + name;
        return std::nullopt;
      }
      if (it->second) {
        if (!value) {
          if (i + 1 >= argc) {
            error = "--" + name + " needs a value";
            return std::nullopt;
          }
          value = argv[++i];
        }
        a.options[name] = *value;
        a.all[name].push_back(*value);
      } else {
        a.flags[name] = true;
      }
    } else {
      a.words.push_back(w);
    }
  }
  return a;
}

std::string default_db() { return "sqlite:var/civicloop.db"; }

fs::path default_web_root() {
  if (const char* env = std::getenv("CIVICLOOP_WEB_ROOT")) return env;
  fs::path built = fs::path(CIVICLOOP_SOURCE_DIR) / "web" / "dist";
  if (fs::exists(built)) return built;
  return fs::path("web") / "dist";
}

fs::path default_presets_dir() {
  fs::path p = fs::path(CIVICLOOP_SOURCE_DIR) / "presets";
  if (fs::exists(p)) return p;
  return "presets";
}

app::Settings settings_from_env() {
  app::Settings s;
  // Test suites set CIVICLOOP_PWHASH=min so that hashing does not dominate their run time.
  if (const char* p = std::getenv("CIVICLOOP_PWHASH"); p != nullptr && std::string(p) == "min") {
    s.pwhash = "min";
  }
  return s;
}

std::unique_ptr<storage::Database> open_db(const Args& a, int pool = 4) {
  auto url = a.get("db", default_db());
  auto db = storage::Database::open(url, pool);
  auto lease = db->acquire();
  auto applied = storage::migrate(*lease);
  for (int v : applied) spdlog::info("migration {} applied", v);
  return db;
}

// The tenant named by --tenant, or the only one.
std::optional<std::int64_t> pick_tenant(storage::Database& db, const Args& a) {
  auto lease = db.acquire();
  storage::TenantRepo tenants(*lease);
  if (a.has("tenant")) {
    auto t = tenants.find_by_code(a.get("tenant"));
    if (!t) {
      std::cerr << "no tenant with code " << a.get("tenant") << "\n";
      return std::nullopt;
    }
    return t->id;
  }
  auto all = tenants.all();
  if (all.size() == 1) return all[0].id;
  std::cerr << (all.empty() ? "the database has no tenant yet: run civicloop init first\n"
                            : "several tenants: name one with --tenant CODE\n");
  return std::nullopt;
}

std::string read_password(const Args& a) {
  if (a.has("password-stdin")) {
    std::string line;
    std::getline(std::cin, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  return a.get("password");
}

int print_error(const Error& e) {
  std::cerr << "error: " << e.code;
  if (!e.field.empty()) std::cerr << " (" << e.field << ")";
  for (const auto& [k, v] : e.details) std::cerr << " " << k << "=" << v;
  std::cerr << "\n";
  return 1;
}

// An error as its message in both languages, after `where` (a file, an option).
void print_message(const Error& e, const std::string& where) {
  std::cerr << where << ": " << http::message_of(e, http::Lang::kZh) << " / "
            << http::message_of(e, http::Lang::kEn) << "\n";
}

// The serve configuration: defaults < --config FILE < CIVICLOOP_* < command-line options.
std::optional<app::ServeConfig> serve_config(const Args& a) {
  app::ServeConfig c;
  auto report = [](const Error& e, const std::string& where) {
    std::cerr << where;
    // The line of the file, or the variable, that holds the bad value.
    for (const auto& [key, value] : e.details) {
      if (key == "line" || key == "variable") std::cerr << " (" << key << " " << value << ")";
    }
    std::cerr << ": " << http::message_of(e, http::Lang::kZh) << " / "
              << http::message_of(e, http::Lang::kEn) << "\n";
  };
  if (a.has("config")) {
    std::ifstream in(a.get("config"));
    if (!in) {
      std::cerr << "cannot read " << a.get("config") << "\n";
      return std::nullopt;
    }
    std::stringstream text;
    text << in.rdbuf();
    if (auto s = app::apply_config_file(c, text.str()); !s) {
      report(s.error(), a.get("config"));
      return std::nullopt;
    }
  }
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (auto eq = kv.find('='); eq != std::string_view::npos && kv.rfind("CIVICLOOP_", 0) == 0) {
      env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
    }
  }
  if (auto s = app::apply_environment(c, env); !s) {
    report(s.error(), "environment");
    return std::nullopt;
  }
  for (const auto& key : app::serve_config_keys()) {
    std::string option = key;
    std::replace(option.begin(), option.end(), '_', '-');
    if (!a.has(option)) continue;
    const bool flag = a.flags.contains(option);
    if (auto s = app::set_serve_config(c, key, flag ? "true" : a.get(option)); !s) {
      report(s.error(), "--" + option);
      return std::nullopt;
    }
  }
  return c;
}

// The request log never blocks a request: lines go through a bounded queue to one logging
// thread; when the queue is full the oldest line is dropped and counted
// (civicloop_log_dropped_total in /metrics), never waited for.
constexpr std::size_t kLogQueueLines = 16384;

void use_async_log() {
  spdlog::init_thread_pool(kLogQueueLines, 1);
  auto sinks = spdlog::default_logger()->sinks();
  auto logger = std::make_shared<spdlog::async_logger>(
      "civicloop", sinks.begin(), sinks.end(), spdlog::thread_pool(),
      spdlog::async_overflow_policy::overrun_oldest);
  spdlog::set_default_logger(logger);
}

int cmd_serve(const Args& a) {
  const auto cfg = serve_config(a);
  if (!cfg) return 2;
  use_async_log();
  // The anchor key first: a key others may read stops the server before it touches anything.
  std::optional<ledger::SigningKey> anchor_key;
  if (!cfg->anchor_file.empty()) {
    if (cfg->anchor_key_file.empty()) {
      print_message(make_error("anchor.key_required"), "anchor_file");
      return 2;
    }
    auto key = app::load_signing_key(cfg->anchor_key_file);
    if (!key) {
      print_message(key.error(), "anchor_key_file");
      return 2;
    }
    anchor_key.emplace(std::move(*key));
  } else if (!cfg->anchor_key_file.empty()) {
    spdlog::warn("anchor_key_file is set but anchor_file is not: ledger anchoring is off");
  }
  auto db = storage::Database::open(cfg->db, 8);
  {
    auto lease = db->acquire();
    for (int v : storage::migrate(*lease)) spdlog::info("migration {} applied", v);
  }
  SystemClock clock;
  app::Context ctx{*db, clock, settings_from_env()};
  // A database made before the message templates (migration 0007): each tenant without any gets
  // its preset's (presets/<tenant code>/messages), so its notifications and documents are worded.
  {
    const char* env = std::getenv("CIVICLOOP_PRESETS_DIR");
    if (auto n = app::ensure_message_templates(ctx, env ? fs::path(env) : default_presets_dir());
        !n) {
      print_message(n.error(), "messages");
      return 2;
    }
  }
  jobs::SchedulerOptions jobs_options;
  jobs_options.kpi_interval_ms = cfg->kpi_interval_seconds * 1000;
  if (anchor_key) {
    jobs_options.anchorer = std::make_shared<app::Anchorer>(ctx, cfg->anchor_file, *anchor_key,
                                                            cfg->anchor_interval_seconds * 1000LL);
    anchor_key.reset();
    if (auto s = jobs_options.anchorer->load(); !s) {
      print_message(s.error(), "anchor_file");
      return 2;
    }
    spdlog::info("ledger anchors: {}, key id {}, every {} s and after close-outs", cfg->anchor_file,
                 jobs_options.anchorer->key().key_id(), cfg->anchor_interval_seconds);
  }
  ctx.settings.media_dir = cfg->media_dir;
  ctx.settings.webhook_allow = cfg->webhook_allow;
  api::ApiOptions options;
  options.web_root = cfg->web_root.empty() ? default_web_root() : fs::path(cfg->web_root);
  options.secure_cookies = cfg->secure_cookies;
  options.ops_allow = cfg->ops_allow;
  auto api = api::make_api(ctx, options);
  if (!api->static_files.available()) {
    spdlog::warn("no built web app at {} (run make build); serving the API only",
                 options.web_root.string());
  }
  http::ServerOptions so;
  const auto colon = cfg->listen.rfind(':');
  so.host = cfg->listen.substr(0, colon);
  so.port = static_cast<std::uint16_t>(std::stoi(cfg->listen.substr(colon + 1)));
  so.threads = cfg->threads;
  so.trusted_proxies = cfg->trusted_proxies;
  so.client_ip_header = cfg->client_ip_header;
  so.hsts = cfg->secure_cookies;
  auto* apip = api.get();
  apip->metrics.log_dropped = [] { return spdlog::thread_pool()->overrun_counter(); };
  http::Server server(
      so, [apip](http::Request& req) { return api::handle(*apip, req); },
      [apip](const http::Request& req, int status, std::int64_t micros) {
        apip->metrics.observe(status, micros);
        spdlog::info("{}", http::access_log_line(req, status, micros));
      });
  server.start();
  jobs::Scheduler scheduler(ctx, jobs_options);
  scheduler.start();
  // Tests and scripts read this line to learn the port.
  std::cout << "civicloop listening on http://" << so.host << ":" << server.port() << "/ ("
            << db->describe() << ")" << std::endl;
  server.run_until_signal();
  scheduler.stop();
  if (auto dropped = spdlog::thread_pool()->overrun_counter(); dropped > 0) {
    spdlog::warn("{} log lines were dropped (the log queue was full)", dropped);
  }
  spdlog::info("stopped");
  spdlog::shutdown();  // writes out what is queued
  return 0;
}

int cmd_init(const Args& a) {
  if (!a.has("preset")) {
    std::cerr << "init needs --preset NAME\n";
    return 2;
  }
  const auto name = a.get("preset");
  for (const char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) {
      std::cerr << "bad preset name\n";
      return 2;
    }
  }
  auto db = open_db(a);
  SystemClock clock;
  app::Context ctx{*db, clock, settings_from_env()};
  const fs::path dir =
      (a.has("presets-dir") ? fs::path(a.get("presets-dir")) : default_presets_dir()) / name;
  auto r = app::init_preset(ctx, dir, a.has("demo"));
  if (!r) return print_error(r.error());
  std::cout << (r->created ? "loaded preset " : "preset already loaded: ") << name << "\n";
  if (a.has("demo")) {
    std::cout << (r->demo_loaded ? "loaded demo data\n" : "demo data already loaded\n");
    std::cout << "demo logins (password " << r->demo_password << "):\n";
    for (const auto& [user, role] : r->demo_logins) {
      std::cout << "  " << user << "  (" << role << ")\n";
    }
  }
  return 0;
}

int cmd_migrate(const Args& a) {
  auto db = storage::Database::open(a.get("db", default_db()), 1);
  auto lease = db->acquire();
  auto applied = storage::migrate(*lease);
  std::cout << (applied.empty() ? "schema is up to date" : "applied migrations:");
  for (int v : applied) std::cout << " " << v;
  std::cout << " (latest " << storage::latest_migration(db->dialect()) << ")\n";
  return 0;
}

int cmd_user(const Args& a) {
  if (a.words.size() < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const auto& sub = a.words[1];
  auto db = open_db(a);
  SystemClock clock;
  app::Context ctx{*db, clock, settings_from_env()};
  auto tenant = pick_tenant(*db, a);
  if (!tenant) return 1;
  const auto actor = app::system_actor(*tenant);
  app::UserService users(ctx);
  if (!a.has("username")) {
    std::cerr << "--username is required\n";
    return 2;
  }
  if (sub == "add") {
    app::NewUser in;
    in.username = a.get("username");
    in.password = read_password(a);
    in.role = a.get("role");
    in.display_name = a.get("display-name");
    if (a.has("unit")) {
      const auto unit = a.get("unit");
      auto lease = db->acquire();
      storage::OrgRepo repo(*lease, *tenant);
      std::optional<org::Unit> u = repo.find_unit_by_code(unit);
      if (!u && !unit.empty() && unit.find_first_not_of("0123456789") == std::string::npos) {
        u = repo.find_unit(std::stoll(unit));
      }
      if (!u) {
        std::cerr << "no unit with id or code " << unit << "\n";
        return 1;
      }
      in.unit_id = u->id;
    }
    auto r = users.create(actor, in);
    if (!r) return print_error(r.error());
    std::cout << "created user " << r->username << " (id " << r->id << ", "
              << access::to_string(r->role) << ")\n";
    return 0;
  }
  if (sub == "passwd") {
    app::UserPatch p;
    p.password = read_password(a);
    auto r = users.update_by_username(actor, a.get("username"), p);
    if (!r) return print_error(r.error());
    std::cout << "password changed for " << r->username << "\n";
    return 0;
  }
  if (sub == "disable") {
    app::UserPatch p;
    p.disabled = true;
    auto r = users.update_by_username(actor, a.get("username"), p);
    if (!r) return print_error(r.error());
    std::cout << "disabled " << r->username << "\n";
    return 0;
  }
  std::cerr << kUsage;
  return 2;
}

int cmd_keygen(const Args& a) {
  if (!a.has("key") || a.get("key").empty()) {
    std::cerr << "ledger keygen needs --key FILE\n";
    return 2;
  }
  const auto path = a.get("key");
  auto key = app::create_signing_key(path);
  if (!key) {
    print_message(key.error(), "ledger keygen");
    return 1;
  }
  std::cout << "wrote the secret key to " << path << " (mode 0600) and the public key to " << path
            << ".pub\n"
            << "public key: " << key->public_key().hex() << "\n"
            << "key id: " << key->key_id() << "\n"
            << "Give the public key to whoever verifies the ledger; keep the secret key off the "
               "database host's backups (docs/security.md).\n";
  return 0;
}

// One tenant's anchors, as lines of the report.
void print_anchors(const app::TenantAudit& t, const std::string& file) {
  const auto& r = t.anchors;
  const auto& who = t.tenant_code;
  if (t.anchors_given == 0) {
    std::cout << who << ": no anchors for this tenant in " << file
              << " (only the chain was checked)\n";
    return;
  }
  constexpr std::size_t kShown = 10;
  for (std::size_t i = 0; i < r.invalid.size() && i < kShown; ++i) {
    const auto& bad = r.invalid[i];
    std::cout << who << ": anchor of event " << bad.anchor.seq << " (key id " << bad.anchor.key_id
              << ") INVALID: " << ledger::to_string(bad.why)
              << (bad.why == ledger::AnchorValidity::kUnknownKey
                      ? " (give its public key with --public-key)"
                      : "")
              << "\n";
  }
  if (r.invalid.size() > kShown) {
    std::cout << who << ": ... and " << r.invalid.size() - kShown << " more invalid anchors\n";
  }
  if (r.mismatch_seq) {
    std::cout << who << ": anchors BROKEN at event " << *r.mismatch_seq << " (" << r.mismatch_reason
              << "): "
              << (r.mismatch_reason == "missing" ? "the chain no longer has that event"
                                                 : "its hash no longer matches the anchor")
              << "; ";
    if (r.first_suspect_seq == *r.mismatch_seq) {
      std::cout << "the first changed event is " << *r.mismatch_seq;
    } else {
      std::cout << "the first changed event is between " << r.first_suspect_seq << " and "
                << *r.mismatch_seq;
    }
    if (r.first_suspect_seq > 1) {
      std::cout << " (the anchor of event " << r.first_suspect_seq - 1 << " still matches)";
    }
    std::cout << "; " << r.mismatched << " of " << r.valid << " valid anchors no longer match\n";
  } else if (r.valid > 0) {
    std::cout << who << ": anchors intact, " << r.valid << " checked, the last at event "
              << r.last_matched_seq.value_or(0);
    const auto after = t.head_seq - r.last_matched_seq.value_or(0);
    if (after > 0) std::cout << " (" << after << " later events covered by the chain only)";
    std::cout << "\n";
  }
}

// `ledger replay --check`: every case rebuilt from its events and compared with its row.
int cmd_ledger_replay(const Args& a) {
  if (!a.has("check")) {
    std::cerr << "ledger replay needs --check (it only compares; it never writes)\n";
    return 2;
  }
  auto db = open_db(a, 1);
  SystemClock clock;
  app::Context ctx{*db, clock, settings_from_env()};
  int bad = 0;
  for (const auto& [tenant, r] : app::replay_all(ctx)) {
    std::cout << tenant << ": " << r.cases << " cases, " << r.events << " case events ("
              << r.legacy_events << " legacy), " << r.attachments << " attachments: ";
    if (r.ok()) {
      std::cout << "every case matches its events\n";
      continue;
    }
    ++bad;
    std::cout << r.problem_count << " problem(s)\n";
    for (const auto& p : r.problems) {
      if (p.unit_id) {
        std::cout << "  unit " << *p.unit_id;
      } else {
        std::cout << "  case " << p.case_id;
      }
      if (!p.case_no.empty()) std::cout << " (" << p.case_no << ")";
      std::cout << ": " << p.kind;
      if (p.seq) std::cout << " at event " << *p.seq;
      if (!p.fields.empty()) {
        std::cout << ", fields:";
        for (const auto& f : p.fields) std::cout << " " << f;
      }
      std::cout << "\n";
    }
  }
  return bad == 0 ? 0 : 3;
}

// `kpi rebuild`: the KPI counters emptied and projected again from the whole ledger.
int cmd_kpi(const Args& a) {
  if (a.words.size() < 2 || a.words[1] != "rebuild") {
    std::cerr << kUsage;
    return 2;
  }
  auto db = open_db(a, 1);
  SystemClock clock;
  app::Context ctx{*db, clock, settings_from_env()};
  app::CaseConfigCache cache(ctx);
  app::KpiService kpis(ctx, cache);
  for (const auto& [tenant, r] : kpis.rebuild_all()) {
    std::cout << tenant << ": " << r.events << " case events projected, watermark " << r.last_seq
              << "\n";
  }
  return 0;
}

int cmd_ledger(const Args& a) {
  if (a.words.size() >= 2 && a.words[1] == "keygen") return cmd_keygen(a);
  if (a.words.size() >= 2 && a.words[1] == "replay") return cmd_ledger_replay(a);
  if (a.words.size() < 2 || a.words[1] != "verify") {
    std::cerr << kUsage;
    return 2;
  }
  if (a.has("anchors") != a.has("public-key")) {
    std::cerr << "--anchors FILE and --public-key KEY go together\n";
    return 2;
  }
  if (!a.has("anchors")) {
    auto db = open_db(a, 1);
    SystemClock clock;
    app::Context ctx{*db, clock, settings_from_env()};
    int bad = 0;
    for (const auto& [tenant, r] : app::verify_all_ledgers(ctx)) {
      if (r.ok) {
        std::cout << tenant << ": ledger intact, " << r.events << " events\n";
      } else {
        ++bad;
        std::cout << tenant << ": ledger BROKEN at event " << r.bad_seq.value_or(0) << " ("
                  << r.reason << ")\n";
      }
    }
    return bad == 0 ? 0 : 3;
  }
  std::vector<ledger::PublicKey> keys;
  for (const auto& k : a.all.at("public-key")) {
    auto key = app::load_public_key(k);
    if (!key) {
      print_message(key.error(), "--public-key");
      return 2;
    }
    keys.push_back(*key);
  }
  const auto file = a.get("anchors");
  std::map<std::int64_t, std::vector<ledger::Anchor>> anchors;
  auto read = app::read_anchor_file(
      file, [&](ledger::Anchor an) { anchors[an.tenant_id].push_back(std::move(an)); }, false);
  if (!read) {
    print_message(read.error(), "--anchors");
    return 1;
  }
  auto db = open_db(a, 1);
  SystemClock clock;
  app::Context ctx{*db, clock, settings_from_env()};
  const auto audit = app::audit_all_ledgers(ctx, anchors, keys);
  for (const auto& t : audit.tenants) {
    if (t.chain.ok) {
      std::cout << t.tenant_code << ": ledger intact, " << t.chain.events << " events\n";
    } else {
      std::cout << t.tenant_code << ": ledger BROKEN at event " << t.chain.bad_seq.value_or(0)
                << " (" << t.chain.reason << ")\n";
    }
    print_anchors(t, file);
  }
  for (const auto& [tenant, n] : audit.unknown_tenants) {
    std::cout << "anchors BROKEN: " << n << " anchors name tenant id " << tenant
              << ", which this database does not have\n";
  }
  return audit.ok() ? 0 : 3;
}

// `import cases FILE --mapping M`: the history import, with a progress line on stderr.
int cmd_import(const Args& a) {
  if (a.words.size() != 3 || a.words[1] != "cases" || !a.has("mapping")) {
    std::cerr << kUsage;
    return 2;
  }
  const auto file = a.words[2];
  const auto format = app::import_format_of(file);
  if (!format) {
    print_message(make_error("import.unsupported_format"), file);
    return 1;
  }
  std::ifstream min(a.get("mapping"), std::ios::binary);
  if (!min) {
    std::cerr << "cannot read " << a.get("mapping") << "\n";
    return 1;
  }
  std::stringstream mtext;
  mtext << min.rdbuf();
  auto mapping = app::parse_import_mapping(mtext.str());
  if (!mapping) {
    print_message(mapping.error(), a.get("mapping"));
    return 1;
  }
  auto db = open_db(a, 2);
  SystemClock clock;
  app::Context ctx{*db, clock, settings_from_env()};
  auto tenant = pick_tenant(*db, a);
  if (!tenant) return 1;
  app::CaseConfigCache config(ctx);
  // A mapping naming a category the tenant lacks stops here, before any file is written.
  if (auto cfg = config.get(*tenant); cfg) {
    if (auto s = app::check_import_categories(**cfg, *mapping); !s) {
      print_message(s.error(), a.get("mapping"));
      return 1;
    }
  }
  const auto report_path = a.get("report", file + ".refused.csv");
  app::RefusedReport report(report_path,
                            [](const Error& e) { return http::message_of(e, http::Lang::kZh); });
  if (!report.ok()) {
    std::cerr << "cannot write " << report_path << "\n";
    return 1;
  }
  const bool tty = isatty(STDERR_FILENO) == 1;
  int last_tenth = -1;
  auto line = [](const app::ImportCounts& c) {
    char buf[200];
    const double rate = c.seconds > 0 ? static_cast<double>(c.read) / c.seconds : 0;
    const int pct = c.bytes_total > 0 ? static_cast<int>(100.0 * static_cast<double>(c.bytes_read) /
                                                         static_cast<double>(c.bytes_total))
                                      : 0;
    std::snprintf(
        buf, sizeof buf, "%3d%%  read %lld  written %lld  skipped %lld  refused %lld  %.0f rows/s",
        std::min(pct, 100), static_cast<long long>(c.read), static_cast<long long>(c.written),
        static_cast<long long>(c.skipped), static_cast<long long>(c.refused), rate);
    return std::string(buf);
  };
  app::ImportSink sink;
  sink.refused = [&](const app::RefusedRow& r) { report.add(r); };
  sink.progress = [&](const app::ImportCounts& c) {
    if (tty) {
      std::cerr << "\r" << line(c) << "\x1b[K" << std::flush;
      return;
    }
    // Not a terminal (a log, CI): one line per tenth of the file.
    const int tenth = c.bytes_total > 0 ? static_cast<int>(10 * c.bytes_read / c.bytes_total) : 0;
    if (tenth != last_tenth) {
      last_tenth = tenth;
      std::cerr << line(c) << "\n";
    }
  };
  app::ImportCounts counts;
  auto done = app::import_cases(ctx, config, app::system_actor(*tenant),
                                {file, *format, std::move(*mapping)}, sink, counts);
  report.close();
  if (tty) std::cerr << "\n";
  std::cout << file << ": " << counts.read << " rows read, " << counts.written << " imported, "
            << counts.skipped << " already there, " << counts.refused << " refused";
  if (counts.refused > 0) std::cout << " (see " << report_path << ")";
  char rate[64];
  std::snprintf(rate, sizeof rate, "; %.1f s, %.0f rows/s", counts.seconds,
                counts.seconds > 0 ? static_cast<double>(counts.read) / counts.seconds : 0);
  std::cout << rate << "\n";
  if (!done) {
    std::string where = file;
    for (const auto& [k, v] : done.error().details) {
      if (k == "row" || k == "line") where += " (row " + v + ")";
    }
    print_message(done.error(), where);
    return 1;
  }
  return 0;
}

// The places a backup is taken from or restored into: those serve would use.
std::optional<app::BackupPlace> backup_place(const Args& a) {
  const auto cfg = serve_config(a);
  if (!cfg) return std::nullopt;
  return app::BackupPlace{cfg->db, cfg->media_dir, cfg->anchor_file, cfg->anchor_key_file};
}

std::int64_t table_rows(const app::BackupManifest& m, const std::string& table) {
  auto it = m.tables.find(table);
  return it == m.tables.end() ? 0 : it->second;
}

// Each tenant's ledger, as `ledger verify` prints it; the number broken.
int print_ledgers(const app::LedgerResults& ledgers) {
  int bad = 0;
  for (const auto& [tenant, r] : ledgers) {
    if (r.ok) {
      std::cout << tenant << ": ledger intact, " << r.events << " events\n";
    } else {
      ++bad;
      std::cout << tenant << ": ledger BROKEN at event " << r.bad_seq.value_or(0) << " ("
                << r.reason << ")\n";
    }
  }
  return bad;
}

// `backup DIR`: the database, the media and the anchors, while the server serves.
int cmd_backup(const Args& a) {
  if (a.words.size() != 2) {
    std::cerr
        << "backup needs the directory to write, e.g. civicloop backup /srv/backups/2026-12-04\n";
    return 2;
  }
  const auto place = backup_place(a);
  if (!place) return 2;
  const auto started = std::chrono::steady_clock::now();
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto m = app::make_backup(*place, a.words[1], CIVICLOOP_VERSION, now);
  if (!m) {
    print_message(m.error(), "backup");
    return 1;
  }
  std::int64_t bytes = 0;
  for (const auto& f : m->files) bytes += f.size;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char tail[96];
  std::snprintf(tail, sizeof tail, "%lld files, %.1f MB, %.1f s",
                static_cast<long long>(m->files.size()), static_cast<double>(bytes) / 1e6, seconds);
  std::cout << "backed up the " << m->dialect << " database (schema " << m->schema_migration
            << ") to " << a.words[1] << ": " << table_rows(*m, "cases") << " cases, "
            << table_rows(*m, "ledger_events") << " ledger events, " << m->media_files
            << " media files, " << m->anchor_lines << " anchors; " << tail << "\n";
  if (!place->anchor_file.empty() && !m->anchors) {
    std::cout << "no anchor file at " << place->anchor_file << " yet: none backed up\n";
  }
  return 0;
}

// `restore DIR`: into an empty place, checked against the manifest, the ledger verified.
int cmd_restore(const Args& a) {
  if (a.words.size() != 2) {
    std::cerr
        << "restore needs the backup directory, e.g. civicloop restore /srv/backups/2026-12-04\n";
    return 2;
  }
  const auto place = backup_place(a);
  if (!place) return 2;
  auto r = app::restore_backup(a.words[1], *place);
  if (!r) {
    print_message(r.error(), "restore");
    return 1;
  }
  const auto& m = r->manifest;
  std::cout << "restored " << a.words[1] << " (" << m.dialect << ", schema " << m.schema_migration
            << ", civicloop " << m.civicloop_version << "): " << m.files.size()
            << " files match the manifest; " << table_rows(m, "cases") << " cases, "
            << table_rows(m, "ledger_events") << " ledger events, " << m.media_files
            << " media files in " << place->media_dir;
  if (r->anchors_restored) {
    std::cout << ", " << m.anchor_lines << " anchors in " << place->anchor_file;
  }
  std::cout << "\n";
  if (m.anchors && !r->anchors_restored) {
    std::cout << "the backup holds " << m.anchor_lines
              << " anchors; give --anchor-file FILE to restore them\n";
  }
  return print_ledgers(r->ledgers) == 0 ? 0 : 3;
}

// `migrate-db --from sqlite:PATH --to postgresql://...`: a district moved, then checked.
int cmd_migrate_db(const Args& a) {
  if (!a.has("from") || !a.has("to")) {
    std::cerr << "migrate-db needs --from sqlite:PATH and --to postgresql://...\n";
    return 2;
  }
  const bool tty = isatty(STDERR_FILENO) == 1;
  std::string current;
  auto progress = [&](const std::string& table, std::int64_t rows) {
    if (tty) {
      std::cerr << "\r" << table << ": " << rows << " rows\x1b[K" << std::flush;
    } else if (table != current) {
      std::cerr << "copying " << table << "\n";
    }
    current = table;
  };
  auto r = app::migrate_database(a.get("from"), a.get("to"), progress);
  if (tty) std::cerr << "\n";
  if (!r) {
    print_message(r.error(), "migrate-db");
    return 1;
  }
  std::int64_t rows = 0;
  for (const auto& [t, n] : r->tables) rows += n;
  std::cout << "copied " << r->tables.size() << " tables, " << rows << " rows (schema "
            << r->schema_migration << "); every table's count matches\n";
  int bad = print_ledgers(r->ledgers);
  for (const auto& [tenant, rr] : r->replays) {
    std::cout << tenant << ": " << rr.cases << " cases, " << rr.events << " case events: ";
    if (rr.ok()) {
      std::cout << "every case matches its events\n";
    } else {
      ++bad;
      std::cout << rr.problem_count
                << " problem(s); run civicloop ledger replay --check --db "
                   "the target for the list\n";
    }
  }
  return bad == 0 ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("civicloop");
  spdlog::set_default_logger(logger);
  if (sodium_init() < 0) {
    std::cerr << "libsodium failed to initialise\n";
    return 1;
  }
  media::init();
  std::string error;
  auto args = parse_args(argc, argv, error);
  if (!args) {
    std::cerr << error << "\n\n" << kUsage;
    return 2;
  }
  if (args->words.empty() || args->has("help")) {
    std::cout << kUsage;
    return args->words.empty() && !args->has("help") ? 2 : 0;
  }
  const auto& cmd = args->words[0];
  try {
    if (cmd == "serve") return cmd_serve(*args);
    if (cmd == "init") return cmd_init(*args);
    if (cmd == "migrate") return cmd_migrate(*args);
    if (cmd == "user") return cmd_user(*args);
    if (cmd == "ledger") return cmd_ledger(*args);
    if (cmd == "kpi") return cmd_kpi(*args);
    if (cmd == "import") return cmd_import(*args);
    if (cmd == "backup") return cmd_backup(*args);
    if (cmd == "restore") return cmd_restore(*args);
    if (cmd == "migrate-db") return cmd_migrate_db(*args);
    if (cmd == "version") {
      std::cout << "civicloop " << CIVICLOOP_VERSION << "\n";
      return 0;
    }
  } catch (const storage::StorageError& e) {
    std::cerr << "storage error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "unknown command " << cmd << "\n\n" << kUsage;
  return 2;
}
