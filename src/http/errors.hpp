// The one map from error codes to the outside: HTTP status and a message in the user's language
// (Simplified Chinese by default, English when Accept-Language prefers it). The body is
// {"error": {"code", "message", "details": {"field", ...}}}.
#pragma once

#include <string>
#include <string_view>

#include "domain/error.hpp"
#include "http/message.hpp"

namespace civicloop::http {

enum class Lang { kZh, kEn };

// Picks zh or en from an Accept-Language header (q-values honoured; zh when neither is named).
Lang pick_language(std::string_view accept_language);
// ?lang=en|zh-CN when given (documents opened outside the app's requests), else Accept-Language.
Lang language_of(const Request& req);

int status_of(const Error& error);
std::string message_of(const Error& error, Lang lang);
Response error_response(const Error& error, const Request& req);
Response error_response(const Error& error, Lang lang);

// Every code the map knows (tests check each has both languages and a status).
std::vector<std::string> known_error_codes();

}  // namespace civicloop::http
