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
      {"field.invalid_text",
       {400, "字段 {field} 含有无效字符", "Field {field} has invalid characters"}},
      {"field.required", {400, "字段 {field} 不能为空", "Field {field} is required"}},
      {"field.too_short",
       {400, "字段 {field} 太短（至少 {min} 个字符）",
        "Field {field} is too short (at least {min} characters)"}},
      {"field.too_long",
       {400, "字段 {field} 太长（最多 {max} 个字符）",
        "Field {field} is too long (at most {max} characters)"}},
      {"field.invalid_code",
       {400, "字段 {field} 只能包含字母、数字、下划线、点和短横线（1–40 个）",
        "Field {field} may contain only letters, digits, _ . - (1–40)"}},
      {"field.out_of_range", {400, "字段 {field} 超出允许范围", "Field {field} is out of range"}},
      {"field.invalid_phone", {400, "电话号码格式不正确", "The phone number is not valid"}},
      {"request.malformed_json",
       {400, "请求体不是有效的 JSON：{reason}", "The request body is not valid JSON: {reason}"}},
      {"request.not_object",
       {400, "请求体必须是 JSON 对象", "The request body must be a JSON object"}},
      {"request.unknown_field", {400, "不认识的字段 {field}", "Unknown field {field}"}},
      {"request.invalid_type",
       {400, "字段 {field} 的类型应为 {expected}", "Field {field} must be of type {expected}"}},
      {"request.invalid_cursor", {400, "分页游标无效", "The page cursor is not valid"}},
      {"request.invalid_parameter",
       {400, "查询参数 {field} 无效", "Query parameter {field} is not valid"}},
      {"request.body_too_large", {413, "请求体过大", "The request body is too large"}},
      {"request.header_too_large", {431, "请求头过大", "The request headers are too large"}},
      {"request.malformed", {400, "请求格式不正确", "The request is malformed"}},
      {"request.malformed_target", {400, "请求地址格式不正确", "The request target is malformed"}},
      {"request.unsupported_media_type",
       {415, "不支持的内容类型，应为 {expected}", "Unsupported content type; expected {expected}"}},
      {"not_found", {404, "没有这个地址", "No such resource"}},
      {"method_not_allowed",
       {405, "此地址不支持该请求方法", "Method not allowed on this resource"}},
      // Authentication and access
      {"auth.required", {401, "请先登录", "Please sign in"}},
      {"auth.forbidden", {403, "您的角色没有此项权限", "Your role does not allow this"}},
      {"auth.out_of_scope",
       {403, "这不在您负责的范围内", "This is outside your area of responsibility"}},
      {"auth.csrf",
       {403, "安全校验失败，请刷新页面后重试",
        "Security check failed; reload the page and try again"}},
      {"auth.throttled",
       {429, "登录失败次数过多，请 {retry_after_seconds} 秒后再试",
        "Too many failed sign-ins; try again in {retry_after_seconds} seconds"}},
      // Configuration (the command line; status unused)
      {"config.unknown_key",
       {400, "配置项 {field} 不存在（第 {line} 行）",
        "No configuration key {field} (line {line})"}},
      {"config.bad_value",
       {400, "配置项 {field} 的值无效：{reason}",
        "Configuration key {field} has a bad value: {reason}"}},
      {"config.bad_line",
       {400, "配置文件第 {line} 行应为“键 = 值”",
        "Line {line} of the configuration must be key = value"}},
      // Ledger anchors (the command line and the server's start; status unused)
      {"anchor.key_required",
       {400, "设置了 anchor_file 时必须同时设置 anchor_key_file（签名私钥文件）",
        "anchor_file is set, so anchor_key_file (the signing key file) must be set too"}},
      {"anchor.key_unreadable",
       {400, "无法读取签名私钥文件 {field}：{reason}",
        "Cannot read the signing key file {field}: {reason}"}},
      {"anchor.key_mode",
       {400, "签名私钥文件 {field} 的权限为 {mode}，同组或其他用户可读；请执行 chmod 600 {field}",
        "The signing key file {field} has mode {mode}: group or others may read it; run chmod 600 "
        "{field}"}},
      {"anchor.key_malformed",
       {400, "签名私钥文件 {field} 的内容不是 64 位十六进制的 Ed25519 种子",
        "The signing key file {field} does not hold an Ed25519 seed of 64 hex digits"}},
      {"anchor.key_exists",
       {400, "文件 {field} 已存在，不会覆盖", "{field} already exists and is not overwritten"}},
      {"anchor.key_unwritable",
       {400, "无法写入密钥文件 {field}：{reason}", "Cannot write the key file {field}: {reason}"}},
      {"anchor.public_key_unreadable",
       {400, "公钥 {field} 既不是 64 位十六进制，也无法作为文件读取：{reason}",
        "The public key {field} is neither 64 hex digits nor a readable file: {reason}"}},
      {"anchor.public_key_malformed",
       {400, "公钥文件 {field} 的内容不是 64 位十六进制的 Ed25519 公钥",
        "The public key file {field} does not hold an Ed25519 public key of 64 hex digits"}},
      {"anchor.file_unreadable",
       {400, "无法读取锚点文件 {field}：{reason}",
        "Cannot read the anchor file {field}: {reason}"}},
      {"anchor.file_unwritable",
       {400, "无法追加写入锚点文件 {field}：{reason}",
        "Cannot append to the anchor file {field}: {reason}"}},
      {"media.busy",
       {503, "照片处理繁忙，请稍后重试", "Photo processing is busy; please try again shortly"}},
      {"media.rate_limited",
       {429, "上传照片过于频繁，请 {retry_after_seconds} 秒后再试",
        "Too many photos uploaded; try again in {retry_after_seconds} seconds"}},
      {"auth.totp_required",
       {401, "请输入身份验证器中的 6 位动态码", "Enter the 6-digit code from your authenticator"}},
      {"auth.totp_invalid",
       {401, "动态码或恢复码不正确，或已使用过",
        "The code or recovery code is wrong or was used already"}},
      {"auth.totp_already_enabled",
       {409, "已开启两步验证；如需更换，请先关闭",
        "Two-step sign-in is on already; turn it off first"}},
      {"auth.totp_not_set_up", {409, "请先生成两步验证密钥", "Set up two-step sign-in first"}},
      {"auth.bad_credentials", {401, "用户名或密码错误", "Wrong username or password"}},
      {"auth.disabled", {403, "该账号已停用", "This account is disabled"}},
      {"auth.tenant_required", {400, "请指明所属城市（tenant）", "Please name the tenant"}},
      {"auth.password_too_short",
       {400, "密码至少 {min} 个字符", "The password needs at least {min} characters"}},
      {"auth.invalid_username",
       {400, "用户名只能包含字母、数字和 _ - . @，长度 2–40",
        "Usernames use letters, digits and _ - . @, 2–40 long"}},
      {"auth.invalid_role", {400, "角色无效", "Unknown role"}},
      {"auth.duplicate_username", {409, "用户名已被使用", "That username is taken"}},
      {"auth.unit_required", {400, "该角色必须指定所属单位", "This role needs a unit"}},
      {"auth.user_not_found", {404, "用户不存在", "No such user"}},
      {"auth.cannot_disable_self",
       {409, "不能停用自己的账号", "You cannot disable your own account"}},
      {"auth.token_not_found", {404, "令牌不存在", "No such token"}},
      // Organisation
      {"org.unit_not_found", {404, "单位不存在", "No such unit"}},
      {"org.person_not_found", {404, "人员不存在", "No such person"}},
      {"org.membership_not_found", {404, "任职记录不存在", "No such membership"}},
      {"org.liaison_not_found", {404, "包联记录不存在", "No such liaison"}},
      {"org.post_not_found", {400, "岗位不存在", "No such post"}},
      {"org.invalid_kind", {400, "单位类型无效", "Unknown unit kind"}},
      {"org.parent_required", {400, "必须指定上级单位", "A parent unit is required"}},
      {"org.root_exists",
       {409, "已有指挥部，不能再建第二个根单位", "The HQ exists already; there is one root"}},
      {"org.parent_retired", {409, "上级单位已撤销", "The parent unit is retired"}},
      {"org.kind_not_allowed",
       {409, "{parent_kind} 下不能设立 {kind}", "A {kind} cannot sit under a {parent_kind}"}},
      {"org.cannot_move_root", {409, "指挥部不能移动", "The HQ cannot be moved"}},
      {"org.move_cycle",
       {409, "不能把单位移到它自己或它的下级单位之下",
        "A unit cannot move under itself or its own descendant"}},
      {"org.already_retired", {409, "已经撤销", "Already retired"}},
      {"org.cannot_retire_root", {409, "指挥部不能撤销", "The HQ cannot be retired"}},
      {"org.has_active_children",
       {409, "还有 {count} 个下级单位未撤销", "{count} units under it are still active"}},
      {"org.duplicate_code", {409, "编码已被其他单位使用", "That code is used by another unit"}},
      {"org.duplicate_membership",
       {409, "此人已在该单位担任该岗位", "This person already holds that post in the unit"}},
      {"org.head_exists", {409, "该单位已有负责人（一把手）", "The unit has a head already"}},
      {"org.unit_retired", {409, "单位已撤销", "The unit is retired"}},
      {"org.person_retired", {409, "人员已离任", "The person has left"}},
      {"org.person_is_liaison",
       {409, "此人仍是 {count} 个地方的包联领导，请先调整包联",
        "This person is still the liaison of {count} places; reassign them first"}},
      {"org.liaison_not_place",
       {400, "只有街道、社区和村可以设包联领导",
        "Only subdistricts, communities and villages have liaison leaders"}},
      {"org.liaison_needs_district_leader",
       {409, "街道的包联领导须是区级领导",
        "A subdistrict's liaison must be a district-level leader"}},
      {"org.liaison_needs_subdistrict_leader",
       {409, "社区和村的包联领导须是所在街道的领导",
        "A community's or village's liaison must be a leader of its subdistrict"}},
      {"org.invalid_boundary",
       {400, "边界不是有效的 GeoJSON 多边形（{reason}）",
        "The boundary is not a valid GeoJSON Polygon ({reason})"}},
      // Conflicts
      {"conflict.stale_version",
       {409, "数据已被他人修改，请刷新后重试（当前版本 {current}）",
        "Someone else changed this; reload and try again (current version {current})"}},
      {"conflict.duplicate", {409, "与已有数据重复", "This duplicates existing data"}},
      {"conflict.retry", {503, "系统繁忙，请稍后重试", "Busy; please try again"}},
      // Import
      {"import.invalid_field",
       {400, "导入数据第 {line} 行的 {field} 无效", "Import: {field} is not valid (line {line})"}},
      {"import.missing_field", {400, "导入数据缺少 {field}", "Import: {field} is missing"}},
      {"import.not_object", {400, "导入文件必须是 JSON 对象", "The import must be a JSON object"}},
      {"import.bad_format",
       {400, "导入文件格式不是 civicloop-preset/1",
        "The import is not in the civicloop-preset/1 format"}},
      {"import.unknown_parent",
       {400, "{field} 指向的上级单位不存在", "{field} names a parent that does not exist"}},
      {"import.parent_changed",
       {409, "{field}：已有单位的上级不同，请用“移动”调整",
        "{field}: the unit exists under another parent; move it instead"}},
      {"import.unknown_unit",
       {400, "{field} 指向的单位不存在（第 {line} 行）",
        "{field} names a unit that does not exist (line {line})"}},
      {"import.unknown_person",
       {400, "{field} 指向的人员不存在（第 {line} 行）",
        "{field} names a person that does not exist (line {line})"}},
      {"import.duplicate_key", {400, "{field} 重复", "{field} is duplicated"}},
      {"import.users_only_in_demo", {400, "导入文件不能包含账号", "Accounts cannot be imported"}},
      {"import.bad_csv",
       {400, "CSV 第 {line} 行格式错误（{reason}）", "CSV line {line} is malformed ({reason})"}},
      {"import.empty", {400, "导入文件是空的", "The import is empty"}},
      {"import.missing_column", {400, "缺少列 {field}", "Column {field} is missing"}},
      {"preset.not_found", {404, "找不到预置文件 {field}", "Preset file {field} not found"}},
      {"preset.invalid_json",
       {400, "预置文件 {field} 不是有效的 JSON", "Preset file {field} is not valid JSON"}},
      {"preset.missing_tenant", {400, "预置文件缺少 tenant", "The preset has no tenant"}},
      // Cases
      {"case.not_found", {404, "问题不存在", "No such case"}},
      {"case.invalid_transition",
       {409, "当前状态（{state}）不能执行“{action}”；可执行：{allowed}",
        "A case in state {state} cannot take \"{action}\"; allowed now: {allowed}"}},
      {"case.unknown_action", {400, "未知的操作", "Unknown action"}},
      {"case.unknown_category", {400, "问题类别不存在", "No such category"}},
      {"case.unknown_source", {400, "问题来源无效", "Unknown source"}},
      {"case.bad_location", {400, "位置坐标无效", "The location is not valid"}},
      {"case.outside_area",
       {422, "位置不在本辖区内（距辖区边界约 {distance_m} 米），请核对位置",
        "The location is outside this area (about {distance_m} m from its boundary); check the "
        "location"}},
      {"case.location_required",
       {400, "请提供位置（地图选点或地址）", "Give a location: a point on the map or an address"}},
      {"case.not_configured",
       {503, "该城市的问题类别或工作日历尚未配置",
        "This city's categories or calendar are not configured"}},
      {"case.four_eyes",
       {403, "整改人不能核查自己整改的问题，请由他人核查",
        "Whoever rectified a case may not verify it; someone else must"}},
      {"case.note_required",
       {400, "此操作需要填写说明或理由", "This action needs a note or reason"}},
      {"case.no_unit",
       {400, "没有可派遣的责任单位，请指定", "No responsible unit found; choose one"}},
      {"case.bad_notice_kind",
       {400, "通知类型应为整改通知单或提醒卡",
        "The notice kind must be rectification or reminder"}},
      {"case.evidence_required",
       {400, "请先上传整改照片（{stage}）", "Upload the photo evidence ({stage}) first"}},
      {"case.duplicate_of_itself", {400, "不能标记为自身的重复", "A case cannot duplicate itself"}},
      {"case.original_not_valid",
       {409, "原问题已作废或本身是重复件", "The original is voided or a duplicate itself"}},
      {"case.bad_limit_unit", {400, "时限单位无效", "Unknown time-limit unit"}},
      {"case.partial_out_of_range",
       {400, "部分同意的延期应小于申请的延期（最多 {max}）",
        "A partial extension must be less than asked (at most {max})"}},
      {"case.review_date_past",
       {400, "复查日期应在今天之后", "The review date must be in the future"}},
      {"case.escalation_max", {409, "已是最高级督办", "Already escalated to the top level"}},
      {"case.bad_stage",
       {400, "照片阶段应为 before、after 或 on_site",
        "The photo stage must be before, after or on_site"}},
      {"case.finished",
       {409, "问题已办结，不能再添加照片", "The case is finished; no more photos"}},
      {"case.attachment_not_found", {404, "照片不存在", "No such photo"}},
      {"case.notice_not_found", {404, "通知单不存在", "No such notice"}},
      {"case.notice_mixed_units",
       {409, "一张通知单只能发给一个责任单位", "One notice goes to one unit"}},
      {"media.unsupported_type",
       {415, "只支持 JPEG、PNG、WebP 图片", "Only JPEG, PNG and WebP images are accepted"}},
      {"media.too_large", {413, "图片过大", "The image is too large"}},
      {"media.too_many_pixels", {413, "图片尺寸过大", "The image has too many pixels"}},
      {"media.corrupt", {400, "图片已损坏，无法读取", "The image is damaged and cannot be read"}},
      {"routing.no_match", {409, "没有匹配的派遣规则", "No routing rule matches"}},
      {"routing.no_target",
       {400, "规则 {field} 需要指定单位或按属地单位类型",
        "Rule {field} needs a unit or a kind of unit at the place"}},
      {"routing.two_targets",
       {400, "规则只能指定单位或属地单位类型之一", "A rule names a unit or a kind, not both"}},
      {"routing.bad_hours",
       {400, "时间段无效（{field}）", "The time window is not valid ({field})"}},
      {"workflow.bad_escalation",
       {400, "升级比例须为 1–{steps} 个逐级递增的百分比，每个在 {min}%–{max}% 之间",
        "The escalation ladder takes 1–{steps} rising percentages, each {min}%–{max}%"}},
      {"workflow.bad_number_format",
       {400, "编号格式 {field} 须同时含有年份和当年序号的占位符：{placeholders}",
        "Number format {field} needs the year's and the sequence's placeholders: {placeholders}"}},
      {"workflow.same_number_format",
       {400, "整改通知书与提醒函的编号格式不能相同",
        "Rectification notices and reminders need different number formats"}},
      {"workflow.bad_outside_area_policy",
       {400, "区外上报的处理方式只能是“拒收”或“标记待定位”",
        "A report outside the area is either refused or flagged for placement"}},
      {"calendar.invalid", {400, "日历格式无效", "The calendar is not valid"}},
      {"calendar.invalid_period",
       {400, "工作时段无效（{field}）", "A working period is not valid ({field})"}},
      {"calendar.invalid_year", {400, "年份无效", "The year is not valid"}},
      {"calendar.invalid_date", {400, "日期无效（{field}）", "A date is not valid ({field})"}},
      {"calendar.date_outside_year",
       {400, "日期不属于该年份（{field}）", "A date lies outside its year ({field})"}},
      {"calendar.duplicate_date", {400, "日期重复（{field}）", "A date is listed twice ({field})"}},
      {"calendar.duplicate_year", {400, "年份重复", "A year is listed twice"}},
      {"calendar.holiday_and_makeup",
       {400, "同一天不能既是假日又是调休工作日（{field}）",
        "A day cannot be both a holiday and a make-up working day ({field})"}},
      {"calendar.invalid_offset", {400, "时区偏移无效", "The time-zone offset is not valid"}},
      {"calendar.limit_out_of_range", {400, "时限超出范围", "The time limit is out of range"}},
      {"calendar.makeup_not_weekend",
       {400, "调休工作日应为周六或周日（{field}）",
        "A make-up working day must be a Saturday or Sunday ({field})"}},
      {"calendar.no_periods",
       {400, "至少需要一个工作时段", "At least one working period is needed"}},
      {"calendar.periods_overlap",
       {400, "工作时段有重叠或顺序不对", "Working periods overlap or are out of order"}},
      {"webhook.bad_flavour",
       {400, "机器人类型应为 wecom、dingtalk 或 generic",
        "The robot type must be wecom, dingtalk or generic"}},
      {"webhook.bad_url",
       {400, "机器人地址应为 http(s) 网址", "The robot address must be an http(s) URL"}},
      {"webhook.url_refused",
       {400,
        "机器人地址不允许（{reason}：{host}）："
        "只能推送到公网 https 地址，内部中转地址须在服务器配置 webhook_allow 中放行",
        "The robot address is refused ({reason}: {host}): only public https addresses are "
        "allowed; an internal relay must be listed in the server setting webhook_allow"}},
      {"webhook.not_found", {404, "机器人不存在", "No such robot"}},
      {"notification.not_found", {404, "消息不存在", "No such notification"}},
      {"preset.invalid_field",
       {400, "预置文件 {file} 的 {field} 无效", "Preset file {file}: {field} is not valid"}},
      // Server
      {"ops.address_not_allowed",
       {403, "只有运维地址可以查看此项", "Only the operations addresses may read this"}},
      {"internal", {500, "服务器内部错误", "Internal server error"}},
      {"unavailable",
       {503, "数据库暂时不可用，请稍后重试", "The database is unavailable; try again shortly"}},
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
