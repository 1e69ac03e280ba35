// People as a table: export to CSV and Excel, import from CSV. The columns are
// 编号(id), 姓名(name), 职务(title), 电话(phone), 任职(memberships: "UNITCODE:post[:head]; ...");
// import takes the Chinese or the English header names. Import is all or nothing.
#pragma once

#include <string>
#include <string_view>

#include "app/context.hpp"
#include "app/structure_io.hpp"

namespace civicloop::app {

enum class TableFormat { kCsv, kXlsx };

Expected<std::string> export_people(Context& ctx, const access::Actor& actor, TableFormat format);
Expected<ImportStats> import_people_csv(Context& ctx, const access::Actor& actor,
                                        std::string_view csv);

}  // namespace civicloop::app
