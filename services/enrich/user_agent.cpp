#include "services/enrich/user_agent.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace freshet::enrich {

namespace {

bool has(const std::string& s, std::string_view needle) {
  return s.find(needle) != std::string::npos;
}

bool has_any(const std::string& s, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(), [&](std::string_view n) { return has(s, n); });
}

/// "bot" as a word ending ("Googlebot/2.1", "AhrefsBot", "bot@"), not inside a device name such
/// as the CUBOT phones.
bool has_bot_word(const std::string& s) {
  for (auto pos = s.find("bot"); pos != std::string::npos; pos = s.find("bot", pos + 1)) {
    if (pos >= 2 && s.compare(pos - 2, 2, "cu") == 0)
      continue;
    return true;
  }
  return false;
}

} // namespace

const char* to_string(device_class c) {
  switch (c) {
    case device_class::bot: return "bot";
    case device_class::tablet: return "tablet";
    case device_class::mobile: return "mobile";
    case device_class::desktop: return "desktop";
    case device_class::unknown: return "unknown";
  }
  return "unknown";
}

device_class classify_user_agent(std::string_view user_agent) {
  std::string ua{user_agent};
  std::transform(ua.begin(), ua.end(), ua.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ua.find_first_not_of(" \t") == std::string::npos)
    return device_class::unknown;

  if (has_bot_word(ua) ||
      has_any(ua, {"crawl", "spider", "slurp", "mediapartners", "facebookexternalhit", "headlesschrome", "phantomjs",
                   "lighthouse", "pingdom", "uptimerobot", "curl/", "wget/", "python-requests", "python-urllib",
                   "aiohttp", "go-http-client", "java/", "okhttp", "apache-httpclient", "libwww", "scrapy",
                   "httpie", "postmanruntime", "node-fetch", "axios/"}))
    return device_class::bot;

  bool android = has(ua, "android");
  bool mobile_token = has(ua, "mobi");
  if (has_any(ua, {"ipad", "kindle", "silk/", "playbook", "nexus 7", "nexus 9", "nexus 10"}) ||
      (has(ua, "tablet") && !has(ua, "tablet pc")) ||
      (android && !mobile_token && !has_any(ua, {"opera mini", "phone"})))
    return device_class::tablet;

  if (mobile_token || has_any(ua, {"iphone", "ipod", "windows phone", "blackberry", "bb10", "opera mini", "iemobile",
                                   "webos", "symbian", "kaios", "j2me"}))
    return device_class::mobile;

  if (has_any(ua, {"windows nt", "macintosh", "mac os x", "x11", "linux", "cros", "windows"}))
    return device_class::desktop;
  return device_class::unknown;
}

} // namespace freshet::enrich
