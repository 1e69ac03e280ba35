#include "http/errors.hpp"

#include <boost/json.hpp>
#include <cstdlib>
#include <string>
#include <unordered_map>

namespace civicloop::http {

namespace {

struct Entry {
  int status;
  const char* zh;
  const char* en;
};

// {field} and the names of details are replaced; a code missing here is a bug (tests check).
const std::unordered_map<std::string_view, Entry>& catalog() {
  static const std::unordered_map<std::string_view, Entry> m = {
      // Input
      {"field.invalid_text", {400, "字段 {field} 含有无效字符", "Field {field} has invalid characters"}},
      {"field.required", {400, "字段 {field} 不能为空", "Field {field} is required"}},
      {"field.too_short", {400, "字段 {field} 太短（至少 {min} 个字符）", "Field {field} is too short (at least {min} characters)"}},
      {"field.too_long", {400, "字段 {field} 太长（最多 {max} 个字符）", "Field {field} is too long (at most {max} characters)"}},
      {"field.invalid_code", {400, "字段 {field} 只能包含字母、数字、下划线、点和短横线（1–40 个）", "Field {field} may contain only letters, digits, _ . - (1–40)"}},
      {"field.out_of_range", {400, "字段 {field} 超出允许范围", "Field {field} is out of range"}},
      {"field.invalid_phone", {400, "电话号码格式不正确", "The phone number is not valid"}},
      {"request.malformed_json", {400, "请求体不是有效的 JSON：{reason}", "The request body is not valid JSON: {reason}"}},
      {"request.not_object", {400, "请求体必须是 JSON 对象", "The request body must be a JSON object"}},
      {"request.unknown_field", {400, "不认识的字段 {field}", "Unknown field {field}"}},
      {"request.invalid_type", {400, "字段 {field} 的类型应为 {expected}", "Field {field} must be of type {expected}"}},
      {"request.invalid_cursor", {400, "分页游标无效", "The page cursor is not valid"}},
      {"request.invalid_parameter", {400, "查询参数 {field} 无效", "Query parameter {field} is not valid"}},
      {"request.body_too_large", {413, "请求体过大", "The request body is too large"}},
      {"request.header_too_large", {431, "请求头过大", "The request headers are too large"}},
      {"request.malformed", {400, "请求格式不正确", "The request is malformed"}},
      {"request.malformed_target", {400, "请求地址格式不正确", "The request target is malformed"}},
      {"request.unsupported_media_type", {415, "不支持的内容类型，应为 {expected}", "Unsupported content type; expected {expected}"}},
      {"not_found", {404, "没有这个地址", "No such resource"}},
      {"method_not_allowed", {405, "此地址不支持该请求方法", "Method not allowed on this resource"}},
      // Authentication and access
      {"auth.required", {401, "请先登录", "Please sign in"}},
      {"auth.forbidden", {403, "您的角色没有此项权限", "Your role does not allow this"}},
      {"auth.out_of_scope", {403, "这不在您负责的范围内", "This is outside your area of responsibility"}},
      {"auth.csrf", {403, "安全校验失败，请刷新页面后重试", "Security check failed; reload the page and try again"}},
      {"auth.throttled", {429, "登录失败次数过多，请 15 分钟后再试", "Too many failed sign-ins; try again in 15 minutes"}},
      {"auth.bad_credentials", {401, "用户名或密码错误", "Wrong username or password"}},
      {"auth.disabled", {403, "该账号已停用", "This account is disabled"}},
      {"auth.tenant_required", {400, "请指明所属城市（tenant）", "Please name the tenant"}},
      {"auth.password_too_short", {400, "密码至少 {min} 个字符", "The password needs at least {min} characters"}},
      {"auth.invalid_username", {400, "用户名只能包含字母、数字和 _ - . @，长度 2–40", "Usernames use letters, digits and _ - . @, 2–40 long"}},
      {"auth.invalid_role", {400, "角色无效", "Unknown role"}},
      {"auth.duplicate_username", {409, "用户名已被使用", "That username is taken"}},
      {"auth.unit_required", {400, "该角色必须指定所属单位", "This role needs a unit"}},
      {"auth.user_not_found", {404, "用户不存在", "No such user"}},
      {"auth.cannot_disable_self", {409, "不能停用自己的账号", "You cannot disable your own account"}},
      {"auth.token_not_found", {404, "令牌不存在", "No such token"}},
      // Organisation
      {"org.unit_not_found", {404, "单位不存在", "No such unit"}},
      {"org.person_not_found", {404, "人员不存在", "No such person"}},
      {"org.membership_not_found", {404, "任职记录不存在", "No such membership"}},
      {"org.liaison_not_found", {404, "包联记录不存在", "No such liaison"}},
      {"org.post_not_found", {400, "岗位不存在", "No such post"}},
      {"org.invalid_kind", {400, "单位类型无效", "Unknown unit kind"}},
      {"org.parent_required", {400, "必须指定上级单位", "A parent unit is required"}},
      {"org.root_exists", {409, "已有指挥部，不能再建第二个根单位", "The HQ exists already; there is one root"}},
      {"org.parent_retired", {409, "上级单位已撤销", "The parent unit is retired"}},
      {"org.kind_not_allowed", {409, "{parent_kind} 下不能设立 {kind}", "A {kind} cannot sit under a {parent_kind}"}},
      {"org.cannot_move_root", {409, "指挥部不能移动", "The HQ cannot be moved"}},
      {"org.move_cycle", {409, "不能把单位移到它自己或它的下级单位之下", "A unit cannot move under itself or its own descendant"}},
      {"org.already_retired", {409, "已经撤销", "Already retired"}},
      {"org.cannot_retire_root", {409, "指挥部不能撤销", "The HQ cannot be retired"}},
      {"org.has_active_children", {409, "还有 {count} 个下级单位未撤销", "{count} units under it are still active"}},
      {"org.duplicate_code", {409, "编码已被其他单位使用", "That code is used by another unit"}},
      {"org.duplicate_membership", {409, "此人已在该单位担任该岗位", "This person already holds that post in the unit"}},
      {"org.head_exists", {409, "该单位已有负责人（一把手）", "The unit has a head already"}},
      {"org.unit_retired", {409, "单位已撤销", "The unit is retired"}},
      {"org.person_retired", {409, "人员已离任", "The person has left"}},
      {"org.person_is_liaison", {409, "此人仍是 {count} 个地方的包联领导，请先调整包联", "This person is still the liaison of {count} places; reassign them first"}},
      {"org.liaison_not_place", {400, "只有街道、社区和村可以设包联领导", "Only subdistricts, communities and villages have liaison leaders"}},
      {"org.liaison_needs_district_leader", {409, "街道的包联领导须是区级领导", "A subdistrict's liaison must be a district-level leader"}},
      {"org.liaison_needs_subdistrict_leader", {409, "社区和村的包联领导须是所在街道的领导", "A community's or village's liaison must be a leader of its subdistrict"}},
      {"org.invalid_boundary", {400, "边界不是有效的 GeoJSON 多边形（{reason}）", "The boundary is not a valid GeoJSON Polygon ({reason})"}},
      // Conflicts
      {"conflict.stale_version", {409, "数据已被他人修改，请刷新后重试（当前版本 {current}）", "Someone else changed this; reload and try again (current version {current})"}},
      {"conflict.duplicate", {409, "与已有数据重复", "This duplicates existing data"}},
      {"conflict.retry", {503, "系统繁忙，请稍后重试", "Busy; please try again"}},
      // Import
      {"import.invalid_field", {400, "导入数据第 {line} 行的 {field} 无效", "Import: {field} is not valid (line {line})"}},
      {"import.missing_field", {400, "导入数据缺少 {field}", "Import: {field} is missing"}},
      {"import.not_object", {400, "导入文件必须是 JSON 对象", "The import must be a JSON object"}},
      {"import.bad_format", {400, "导入文件格式不是 civicloop-preset/1", "The import is not in the civicloop-preset/1 format"}},
      {"import.unknown_parent", {400, "{field} 指向的上级单位不存在", "{field} names a parent that does not exist"}},
      {"import.parent_changed", {409, "{field}：已有单位的上级不同，请用“移动”调整", "{field}: the unit exists under another parent; move it instead"}},
      {"import.unknown_unit", {400, "{field} 指向的单位不存在（第 {line} 行）", "{field} names a unit that does not exist (line {line})"}},
      {"import.unknown_person", {400, "{field} 指向的人员不存在（第 {line} 行）", "{field} names a person that does not exist (line {line})"}},
      {"import.duplicate_key", {400, "{field} 重复", "{field} is duplicated"}},
      {"import.users_only_in_demo", {400, "导入文件不能包含账号", "Accounts cannot be imported"}},
      {"import.bad_csv", {400, "CSV 第 {line} 行格式错误（{reason}）", "CSV line {line} is malformed ({reason})"}},
      {"import.empty", {400, "导入文件是空的", "The import is empty"}},
      {"import.missing_column", {400, "缺少列 {field}", "Column {field} is missing"}},
      {"preset.not_found", {404, "找不到预置文件 {field}", "Preset file {field} not found"}},
      {"preset.invalid_json", {400, "预置文件 {field} 不是有效的 JSON", "Preset file {field} is not valid JSON"}},
      {"preset.missing_tenant", {400, "预置文件缺少 tenant", "The preset has no tenant"}},
      // Server
      {"internal", {500, "服务器内部错误", "Internal server error"}},
      {"unavailable", {503, "数据库暂时不可用，请稍后重试", "The database is unavailable; try again shortly"}},
  };
  return m;
}

std::string fill(std::string_view tmpl, const Error& e) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '{') {
      out += tmpl[i];
      continue;
    }
    const auto close = tmpl.find('}', i);
    if (close == std::string_view::npos) {
      out += tmpl.substr(i);
      break;
    }
    const auto key = tmpl.substr(i + 1, close - i - 1);
    if (key == "field") {
      out += e.field;
    } else {
      for (const auto& [k, v] : e.details) {
        if (k == key) {
          out += v;
          break;
        }
      }
    }
    i = close;
  }
  return out;
}

}  // namespace

Lang pick_language(std::string_view header) {
  double zh = -1;
  double en = -1;
  std::size_t i = 0;
  int position = 0;
  while (i < header.size()) {
    auto j = header.find(',', i);
    if (j == std::string_view::npos) j = header.size();
    auto item = header.substr(i, j - i);
    i = j + 1;
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    double q = 1.0;
    if (auto semi = item.find(';'); semi != std::string_view::npos) {
      auto params = item.substr(semi + 1);
      item = item.substr(0, semi);
      if (auto qpos = params.find("q="); qpos != std::string_view::npos) {
        q = std::strtod(std::string(params.substr(qpos + 2)).c_str(), nullptr);
      }
    }
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    // Earlier entries win ties.
    q -= position++ * 1e-6;
    auto lower = std::string(item);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.rfind("zh", 0) == 0) {
      if (q > zh) zh = q;
    } else if (lower.rfind("en", 0) == 0) {
      if (q > en) en = q;
    }
  }
  return en > zh && en > 0 ? Lang::kEn : Lang::kZh;
}

Lang language_of(const Request& req) {
  auto h = req.header("accept-language");
  return h ? pick_language(*h) : Lang::kZh;
}

int status_of(const Error& e) {
  const auto& c = catalog();
  auto it = c.find(e.code);
  return it == c.end() ? 400 : it->second.status;
}

std::string message_of(const Error& e, Lang lang) {
  const auto& c = catalog();
  auto it = c.find(e.code);
  if (it == c.end()) return e.code;
  return fill(lang == Lang::kEn ? it->second.en : it->second.zh, e);
}

Response error_response(const Error& e, Lang lang) {
  boost::json::object details;
  if (!e.field.empty()) details["field"] = e.field;
  for (const auto& [k, v] : e.details) details[k] = v;
  boost::json::object err;
  err["code"] = e.code;
  err["message"] = message_of(e, lang);
  err["details"] = std::move(details);
  boost::json::object body;
  body["error"] = std::move(err);
  return Response::json(status_of(e), boost::json::serialize(body));
}

Response error_response(const Error& e, const Request& req) {
  auto r = error_response(e, language_of(req));
  if (r.status == 401) r.add_header("WWW-Authenticate", "Bearer realm=\"civicloop\"");
  return r;
}

std::vector<std::string> known_error_codes() {
  std::vector<std::string> out;
  for (const auto& [k, v] : catalog()) out.emplace_back(k);
  return out;
}

}  // namespace civicloop::http
