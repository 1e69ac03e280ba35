// Use cases on accounts: create, list, change role/unit, disable, reset password. Only users with
// users.manage (the HQ administrator) manage others; the CLI runs them as the system actor.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/context.hpp"
#include "app/org_service.hpp"
#include "storage/account_repo.hpp"

namespace civicloop::app {

struct NewUser {
  std::string username;
  std::string password;
  std::string role;
  std::string display_name;  // defaults to the username
  std::optional<std::int64_t> unit_id;
  std::optional<std::int64_t> person_id;
  bool is_demo = false;
};

struct UserPatch {
  std::optional<std::string> role;
  std::optional<std::string> display_name;
  std::optional<std::optional<std::int64_t>> unit_id;
  std::optional<bool> disabled;
  std::optional<std::string> password;
  // true: removes the user's second factor (a lost phone); the user sets it up again.
  std::optional<bool> reset_totp;
};

class UserService {
 public:
  explicit UserService(Context& ctx) : ctx_(ctx) {}

  Expected<storage::User> create(const access::Actor& actor, const NewUser& in);
  Expected<storage::User> create_in(storage::Connection& c, const access::Actor& actor,
                                    const NewUser& in);
  Expected<storage::User> update(const access::Actor& actor, std::int64_t id,
                                 const UserPatch& patch);
  Expected<storage::User> update_by_username(const access::Actor& actor,
                                             const std::string& username, const UserPatch& patch);
  Expected<Page<storage::User>> list(const access::Actor& actor, storage::UserQuery query);

 private:
  Context& ctx_;
};

}  // namespace civicloop::app
