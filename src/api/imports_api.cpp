// /api/v1/imports: the history import for the HQ administrator. The file travels in the JSON body
// as base64 with its name and the mapping document; the import runs in the background
// (app/import_jobs.hpp) and the answer, 202, carries the job to poll. Larger files than the body
// limit (8 MiB) are imported from the command line (docs/operations.md).
#include <sodium.h>

#include "api/common.hpp"
#include "app/import_jobs.hpp"

namespace civicloop::api {

namespace {

json::object job_json(const app::ImportJob& j) {
  json::object o;
  o["id"] = j.id;
  o["state"] = j.state;
  o["file_name"] = j.file_name;
  o["format"] = j.format == app::ImportFormat::kXlsx ? "xlsx" : "csv";
  o["read"] = j.counts.read;
  o["written"] = j.counts.written;
  o["skipped"] = j.counts.skipped;
  o["refused"] = j.counts.refused;
  o["percent"] = j.counts.bytes_total > 0
                     ? static_cast<std::int64_t>(100 * j.counts.bytes_read / j.counts.bytes_total)
                     : (j.state == "done" ? 100 : 0);
  o["created_at"] = format_iso_utc(j.created_at);
  o["finished_at"] = j.finished_at ? json::value(format_iso_utc(*j.finished_at)) : nullptr;
  if (j.error) {
    json::object e;
    e["code"] = j.error->code;
    e["message"] = http::message_of(*j.error, http::Lang::kZh);
    e["message_en"] = http::message_of(*j.error, http::Lang::kEn);
    json::object d;
    for (const auto& [k, v] : j.error->details) d[k] = v;
    e["details"] = std::move(d);
    o["error"] = std::move(e);
  } else {
    o["error"] = nullptr;
  }
  return o;
}

Expected<std::string> decode_base64(const std::string& text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), " \r\n", &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return make_error("request.invalid_type", "file_base64").with("expected", "base64");
  }
  out.resize(len);
  return out;
}

}  // namespace

void add_import_routes(Api& api) {
  api.router.add(
      "POST", "/api/v1/imports", authed(api, [&api](http::Request& req, const app::Principal& who) {
        auto body = parse_body(req);
        if (!body) return fail(body.error(), req);
        const auto name = body->req_str("file_name");
        const auto data = body->req_str("file_base64");
        const auto* mapping = body->raw("mapping");
        if (auto s = body->finish(); !s) return fail(s.error(), req);
        if (mapping == nullptr) {
          return fail(make_error("field.required", "mapping"), req);
        }
        auto bytes = decode_base64(data);
        if (!bytes) return fail(bytes.error(), req);
        const auto mapping_text =
            mapping->is_string() ? std::string(mapping->as_string()) : json::serialize(*mapping);
        auto job = api.imports.start(who.actor, name, *bytes, mapping_text);
        if (!job) return fail(job.error(), req);
        return json_response(json::object{{"import", job_json(*job)}}, 202);
      }));

  api.router.add("GET", "/api/v1/imports/{id}",
                 authed(api, [&api](http::Request& req, const app::Principal& who) {
                   auto id = path_id(req);
                   if (!id) return fail(id.error(), req);
                   auto job = api.imports.get(who.actor, *id);
                   if (!job) return fail(job.error(), req);
                   return json_response(json::object{{"import", job_json(*job)}});
                 }));

  api.router.add("GET", "/api/v1/imports/{id}/refused.csv",
                 authed(api, [&api](http::Request& req, const app::Principal& who) {
                   auto id = path_id(req);
                   if (!id) return fail(id.error(), req);
                   auto csv = api.imports.refused_csv(who.actor, *id);
                   if (!csv) return fail(csv.error(), req);
                   http::Response r;
                   r.content_type = "text/csv; charset=utf-8";
                   r.body = std::move(*csv);
                   r.add_header("Content-Disposition", "attachment; filename=\"import-" +
                                                           std::to_string(*id) + "-refused.csv\"");
                   return r;
                 }));
}

}  // namespace civicloop::api
