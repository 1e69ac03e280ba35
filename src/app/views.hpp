// JSON views of the organisation and accounts: what the API returns and what the ledger records
// as "before" and "after". One place, so the two never drift apart.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "domain/ledger.hpp"
#include "domain/org.hpp"
#include "storage/account_repo.hpp"
#include "storage/org_repo.hpp"

namespace civicloop::app {

boost::json::object unit_json(const org::Unit& u, int child_count = -1);
boost::json::object person_json(const org::Person& p);
boost::json::object membership_json(const storage::MembershipView& m);
boost::json::object liaison_json(const storage::LiaisonView& l);
boost::json::object post_json(const org::Post& p);
boost::json::object user_json(const storage::User& u);  // never the password hash
boost::json::object token_json(const storage::ApiToken& t);
boost::json::object event_json(const ledger::Event& e);

std::string to_text(const boost::json::object& o);

}  // namespace civicloop::app
