// The HQ office's numbered forms as PDF: the rectification notice (整改通知单, A4 portrait) and
// the reminder card (提醒卡, A5 landscape), laid out like a government form (公文 style: red issuer
// line and rule, centred title, number, salutation, a bordered table of the problems, sign-off
// with a drawn seal mark). Cairo + Pango with the Noto CJK fonts (fonts-noto-cjk).
//
// Pure formatting: callers give the text already worded and formatted (dates in local time); no
// domain or JSON types here. Invalid UTF-8 is replaced (U+FFFD) and control characters other than
// line breaks are dropped, so any text renders. Safe to call from several threads at once (Pango's
// default font map is per thread; the first call on a thread pays for loading the fonts).
#pragma once

#include <array>
#include <string>
#include <vector>

namespace civicloop::reports {

// One problem (case) on a notice. All text; `deadline` already formatted, "2026年12月3日 18:00前".
struct NoticeItem {
  std::string case_no;
  std::string category;
  std::string address;
  std::string description;
  std::string deadline;
};

// The document's fixed wording, from the tenant's message templates (app/notice_service.cpp:
// notice_labels). Nothing here has a default: the document shows only what the caller worded.
struct NoticeLabels {
  std::array<std::string, 6> columns;  // 序号, 问题编号, 问题类别, 位置, 问题描述, 整改时限
  std::string none;                    // the table without rows: （无）
  std::string salutation;              // "{recipient}："
  std::string label_separator;  // between a label and its text: "："
  std::string requirement;      // 整改要求
  std::string deadline;         // 整改时限
  std::string contact;          // 联系人及电话
  std::string note;             // "注：{note}"
  std::string running_head;     // continuation pages: "{title}　{number}"
  std::string page;             // "第 {page} 页 共 {pages} 页"
};

struct NoticeDoc {
  enum class Kind { kRectification, kReminder };
  Kind kind = Kind::kRectification;
  std::string number;  // 平创整〔2026〕0001号
  std::string title;   // 整改通知单 / 提醒卡
  std::string issuer;  // 平城区创建文明城市指挥部办公室 (red title line, sign-off, seal mark)
  std::string recipient;  // 永泰街道办事处 (salutation "永泰街道办事处：")
  std::vector<NoticeItem> items;
  std::string requirement;  // 整改要求 paragraph(s), separated by '\n'
  std::string deadline;     // overall deadline text
  std::string contact;      // 联系人及电话
  std::string issued_on;    // 2026年11月27日
  std::string footer_note;  // e.g. 整改完成后请于平台上传整改前后照片
  // The sentence after the salutation: "经检查，你单位责任区域内存在以下问题，现通知如下：" for a
  // rectification notice, a softer one for a reminder card (the preset words both).
  std::string intro;
  NoticeLabels labels;
};

// The PDF bytes. One or more pages; when the table runs over, its header repeats on every page and
// the pages are numbered (labels.page, "第 1 页 共 N 页"). Throws std::runtime_error when Cairo
// fails.
std::string render_notice_pdf(const NoticeDoc& doc);

}  // namespace civicloop::reports
