// The minutes of a meeting (会议纪要) as PDF in the official layout (reports/official_doc.hpp):
// the office's red mark, the number, the title, when and where, who attended, what was said per
// agenda item, and the decisions with their owner, deadline and state (an overdue one in red).
// Every text comes worded from the tenant's templates (app/meeting_service.cpp). Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "reports/official_doc.hpp"

namespace civicloop::reports {

struct MinutesDecision {
  std::string text;
  std::string owner;     // unit, and person when named
  std::string deadline;  // "2026-12-03 18:00"
  std::string state;     // worded: 未完成 / 已超期（督办二级）/ 已办结
  bool overdue = false;
};

struct MinutesAgendaItem {
  std::string heading;  // "一、全区问题整改进展"
  std::string minutes;
};

struct MinutesLabels {
  std::string time;                  // "时间：{value}"
  std::string place;                 // "地点：{value}"
  std::string attendees;             // "参会：{value}"
  std::string agenda;                // the heading over the agenda items: "会议内容"
  std::string decisions;             // "会议议定事项"
  std::vector<std::string> columns;  // 序号, 事项, 责任单位, 完成时限, 状态
  std::string none;                  // （无）
  std::string page;                  // "— {page} —"
};

struct MinutesDoc {
  std::string issuer;
  std::string number;
  std::string title;
  std::string time;
  std::string place;
  std::string attendees;
  std::vector<MinutesAgendaItem> agenda;
  std::vector<MinutesDecision> decisions;
  std::string signature;
  std::string date;
  MinutesLabels labels;
};

std::string render_minutes_pdf(const MinutesDoc& doc);

}  // namespace civicloop::reports
