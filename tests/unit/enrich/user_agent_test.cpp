// The user-agent classifier on real-world User-Agent strings.
#include <gtest/gtest.h>

#include "services/enrich/user_agent.hpp"

namespace freshet::enrich {
namespace {

struct sample {
  const char* ua;
  device_class want;
};

const sample samples[] = {
  // desktops
  {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", device_class::desktop},
  {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15", device_class::desktop},
  {"Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/119.0", device_class::desktop},
  {"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", device_class::desktop},
  {"Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1; Tablet PC 2.0)", device_class::desktop},
  // phones
  {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", device_class::mobile},
  {"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", device_class::mobile},
  {"Mozilla/5.0 (Android 4.4; Mobile; rv:41.0) Gecko/41.0 Firefox/41.0", device_class::mobile},
  {"Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0 Mobile Safari/537.36", device_class::mobile},
  {"Opera/9.80 (Android; Opera Mini/7.5.54678/28.2555; U; ru) Presto/2.10.289 Version/12.02", device_class::mobile},
  {"Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0 Mobile Safari/537.36 Edge/15.14977", device_class::mobile},
  {"BlackBerry9700/5.0.0.862 Profile/MIDP-2.1 Configuration/CLDC-1.1 VendorID/331", device_class::mobile},
  // tablets
  {"Mozilla/5.0 (iPad; CPU OS 12_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148", device_class::tablet},
  {"Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", device_class::tablet},
  {"Mozilla/5.0 (Android 4.4; Tablet; rv:41.0) Gecko/41.0 Firefox/41.0", device_class::tablet},
  {"Mozilla/5.0 (Linux; U; Android 4.0.3; en-us; KFTT Build/IML74K) AppleWebKit/537.36 (KHTML, like Gecko) Silk/3.68 like Chrome/39.0.2171.93 Safari/537.36", device_class::tablet},
  // bots and tools
  {"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", device_class::bot},
  {"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", device_class::bot},
  {"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", device_class::bot},
  {"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", device_class::bot},
  {"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", device_class::bot},
  {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36", device_class::bot},
  {"curl/8.4.0", device_class::bot},
  {"python-requests/2.31.0", device_class::bot},
  {"Go-http-client/1.1", device_class::bot},
  {"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", device_class::bot},
  // neither
  {"", device_class::unknown},
  {"   ", device_class::unknown},
  {"SomeEmbeddedThing/1.0", device_class::unknown},
};

TEST(user_agent, classifies_real_user_agents) {
  for (const auto& s : samples)
    EXPECT_STREQ(to_string(classify_user_agent(s.ua)), to_string(s.want)) << s.ua;
}

TEST(user_agent, is_case_insensitive) {
  EXPECT_EQ(classify_user_agent("MOZILLA/5.0 (IPHONE; CPU IPHONE OS 17_1 LIKE MAC OS X) MOBILE/15E148"), device_class::mobile);
  EXPECT_EQ(classify_user_agent("GOOGLEBOT/2.1"), device_class::bot);
}

TEST(user_agent, names_every_class) {
  EXPECT_STREQ(to_string(device_class::bot), "bot");
  EXPECT_STREQ(to_string(device_class::tablet), "tablet");
  EXPECT_STREQ(to_string(device_class::mobile), "mobile");
  EXPECT_STREQ(to_string(device_class::desktop), "desktop");
  EXPECT_STREQ(to_string(device_class::unknown), "unknown");
}

} // namespace
} // namespace freshet::enrich
