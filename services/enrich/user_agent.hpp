#pragma once

#include <string_view>

namespace freshet::enrich {

/// What kind of client sent an event, from its User-Agent header text.
enum class device_class { bot, tablet, mobile, desktop, unknown };

/// "bot", "tablet", "mobile", "desktop", "unknown": the values of a `device_class` derived field.
[[nodiscard]] const char* to_string(device_class c);

/// Classifies by ordered rules on the lower-cased text: bots and tools first (crawlers, HTTP
/// libraries, headless browsers), then tablets (iPad, Kindle/Silk, Android without "mobile",
/// "tablet"), then phones ("mobi", iPhone, Windows Phone, ...), then desktops (Windows NT, Mac OS X,
/// X11, Linux, CrOS). Anything else is `unknown`. iPadOS 13+ Safari presents itself as a Mac and is
/// classified `desktop`: the header alone cannot tell them apart.
[[nodiscard]] device_class classify_user_agent(std::string_view user_agent);

} // namespace freshet::enrich
