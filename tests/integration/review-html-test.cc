// The HTML report in a real browser: headless Chromium renders it with no network, the key
// numbers are in the page, the charts were drawn (Chart.js sized its canvases) and a screenshot
// shows the bar colour of the first chart.
#include "support/run-command.h"

#include <catch2/catch.hpp>

using namespace fab::tests;

namespace
{

std::string
Chromium(const std::filesystem::path& dir, const std::string& arguments)
{
    return "timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic "
           "--no-first-run "
           "--disable-background-networking --disable-component-update --disable-sync "
           "--user-data-dir='"
           + (dir / "profile").string() + "' " + arguments;
}

} // namespace

TEST_CASE("the review report renders in headless Chromium",
          "[integration][html][needs:chromium][needs:python3]")
{
    auto dir = TempDir("review-html");
    auto review = RunFabricscope(dir, "review -o report.html");
    REQUIRE(review.exitCode == 0);
    std::string url = "file://" + (dir / "report.html").string();

    auto dom = RunIn(dir, Chromium(dir, "--virtual-time-budget=5000 --dump-dom '" + url + "'"));
    INFO(dom.err);
    REQUIRE(dom.exitCode == 0);
    for (const char* text : {"Design review: 10,240-GPU RoCE cluster",
                             "10,240",
                             "416",
                             "35,840",
                             "Findings",
                             "Switches per tier",
                             "Port use per tier",
                             "design.cost-share"})
    {
        INFO(text);
        REQUIRE(dom.out.find(text) != std::string::npos);
    }
    // Chart.js ran: it sizes every canvas it draws on.
    std::size_t drawn = 0;
    for (std::size_t at = dom.out.find("<canvas"); at != std::string::npos;
         at = dom.out.find("<canvas", at + 1))
    {
        auto end = dom.out.find('>', at);
        drawn += dom.out.substr(at, end - at).find("box-sizing: border-box") != std::string::npos
                     ? 1
                     : 0;
    }
    REQUIRE(drawn == 4);

    auto shot = RunIn(dir,
                      Chromium(dir,
                               "--window-size=1400,1800 --virtual-time-budget=5000 --screenshot='"
                                   + (dir / "report.png").string() + "' '" + url + "'"));
    REQUIRE(shot.exitCode == 0);
    REQUIRE(std::filesystem::file_size(dir / "report.png") > 20000);
    // Pixels in the first series colour (#0072B2) prove the bars were painted.
    auto pixels = RunIn(dir,
                        std::string("python3 '") + FABRICSCOPE_SOURCE_DIR
                            + "/tests/tools/png-colour-count.py' report.png 0 114 178");
    INFO(pixels.err);
    REQUIRE(pixels.exitCode == 0);
    REQUIRE(std::stol(pixels.out) > 2000);
}
