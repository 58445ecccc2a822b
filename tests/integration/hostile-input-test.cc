// Hostile input in files and flags: every command exits 2 within bounds (time, address space),
// with no signal, and stderr names the file, the place (JSON pointer, byte or flag) and what was
// expected; valid input near the edges runs normally.
#include "dpi/roce-conversation.h"
#include "support/run-command.h"
#include "support/udp-pcap.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

using namespace fab::tests;
using nlohmann::json;

namespace
{

/** A capture for analyze's cases, written once per run of the tests. */
const std::string&
Capture()
{
    static const std::string path = []
    {
        auto file = TempDir("hostile-capture") / "conversation.pcap";
        REQUIRE(fab::dpi::test::WriteRoceConversation(file));
        return file.string();
    }();
    return path;
}

json
DesignFile(const std::string& name = "roce-128-rail")
{
    return json::parse(
        ReadFile(std::string(FABRICSCOPE_SOURCE_DIR) + "/topologies/designs/" + name + ".json"));
}

/** A ring AllReduce of 1 MiB over 8 servers: it runs in well under a second. */
json
SmallScenario()
{
    return json::parse(R"({
      "schema": 1,
      "name": "ring over 8 servers",
      "design": {
        "schema": 1,
        "name": "8 servers, 2 leaves",
        "fabric": "roce",
        "servers": {"count": 8, "gpus": 1, "nics": 1, "nic_speed": "100Gbps"},
        "switch_models": {"8x100G": {"ports": 8, "port_speed": "100Gbps"}},
        "tiers": {"count": 2, "leaf": {"model": "8x100G"}, "spine": {"model": "8x100G"}}
      },
      "jobs": [{"kind": "collective", "name": "ring", "op": "allreduce", "bytes": "1MiB",
                "gpus": 8, "gpus_per_server": 1}],
      "stop": {"iterations": 1},
      "seed": 1,
      "outputs": {"series": false, "trace": false}
    })");
}

void
WriteText(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary) << text;
}

/** The document as text with the string value "@" replaced by `raw` (text json cannot hold). */
std::string
WithRaw(const json& document, const std::string& raw)
{
    std::string text = document.dump(2);
    auto at = text.find("\"@\"");
    REQUIRE(at != std::string::npos);
    return text.replace(at, 3, raw);
}

/** Neither an uncaught exception nor, in the sanitizer tree, a report (which exits 1). */
void
RequireNoCrashReport(const CommandResult& result)
{
    INFO("stderr: " << result.err.substr(0, 2000));
    for (const char* sign : {"terminate called", "Sanitizer", "runtime error:"})
    {
        REQUIRE(result.err.find(sign) == std::string::npos);
    }
}

/** Exit 2, no signal, and every mention in stderr. */
void
RequireRejected(const CommandResult& result, const std::vector<std::string>& mentions)
{
    INFO("exit " << result.exitCode << ", stderr: " << result.err.substr(0, 2000));
    REQUIRE(result.exitCode == 2);
    RequireNoCrashReport(result);
    for (const auto& mention : mentions)
    {
        INFO("expected in stderr: " << mention);
        REQUIRE(result.err.find(mention) != std::string::npos);
    }
}

/** Ran to the end: 0 or 1 (findings), never 2 or a signal. */
void
RequireRan(const CommandResult& result)
{
    INFO("exit " << result.exitCode << ", stderr: " << result.err.substr(0, 2000));
    REQUIRE((result.exitCode == 0 || result.exitCode == 1));
    RequireNoCrashReport(result);
}

/** The commands that read a JSON file, with the file in the place each reads it from. */
struct JsonReader
{
    const char* what;
    std::string arguments; ///< "FILE" stands for the file's name
    json document;         ///< with "@" where the hostile value goes
    std::string pointer;   ///< where that value sits
};

std::vector<JsonReader>
JsonReaders()
{
    json design = DesignFile();
    design["servers"]["count"] = "@";
    json scenario = SmallScenario();
    scenario["seed"] = "@";
    json inlineDesign = SmallScenario();
    inlineDesign["design"]["servers"]["count"] = "@";
    json designRules
        = {{"schema", 1}, {"rules", {{"design.oversubscription", {{"max_leaf_ratio", "@"}}}}}};
    json captureRules = {{"schema", 1}, {"rules", {{"capture.pause-ratio", {{"max_ratio", "@"}}}}}};
    return {
        {"review design", "review FILE -o - --format json", design, "/servers/count"},
        {"simulate scenario", "simulate FILE --out out --no-progress", scenario, "/seed"},
        {"simulate inline design",
         "simulate FILE --out out --no-progress",
         inlineDesign,
         "/design/servers/count"},
        {"review --rules",
         "review --rules FILE -o - --format json",
         designRules,
         "/rules/design.oversubscription/max_leaf_ratio"},
        {"analyze --rules",
         "analyze '" + Capture() + "' --rules FILE -o out.json --no-progress",
         captureRules,
         "/rules/capture.pause-ratio/max_ratio"},
        {"collect --rules",
         "collect --rules FILE --sflow 127.0.0.1:0 --prometheus 127.0.0.1:0 --duration 1s",
         captureRules,
         "/rules/capture.pause-ratio/max_ratio"},
        {"analyze --design",
         "analyze '" + Capture() + "' --design FILE -o out.json --no-progress",
         design,
         "/servers/count"},
        {"collect --design",
         "collect --design FILE --sflow 127.0.0.1:0 --prometheus 127.0.0.1:0 --duration 1s",
         design,
         "/servers/count"},
    };
}

std::string
Substitute(std::string arguments, const std::string& file)
{
    auto at = arguments.find("FILE");
    return arguments.replace(at, 4, file);
}

} // namespace

TEST_CASE("numbers past a double's range exit 2 naming the file, pointer and line",
          "[integration][hostile]")
{
    std::string number = GENERATE(std::string("1e400"),
                                  std::string("-1e400"),
                                  std::string("1e999999999"),
                                  std::string(5000, '7'));
    auto dir = TempDir("hostile-overflow");
    for (const auto& reader : JsonReaders())
    {
        INFO(reader.what << " with " << number.substr(0, 12));
        WriteText(dir / "input.json", WithRaw(reader.document, number));
        auto result = RunFabricscopeBounded(dir, Substitute(reader.arguments, "input.json"));
        RequireRejected(result,
                        {"input.json: " + reader.pointer + ": ", "double's range", "(line "});
    }
}

TEST_CASE("a key given twice exits 2 naming its pointer, in every JSON file",
          "[integration][hostile]")
{
    auto dir = TempDir("hostile-duplicate");
    for (const auto& reader : JsonReaders())
    {
        INFO(reader.what);
        // The value's own key once more, just before it: {"count": 1, "count": ...}.
        std::string key = reader.pointer.substr(reader.pointer.rfind('/') + 1);
        WriteText(dir / "input.json", WithRaw(reader.document, "1, \"" + key + "\": 2"));
        auto result = RunFabricscopeBounded(dir, Substitute(reader.arguments, "input.json"));
        RequireRejected(result, {"input.json: " + reader.pointer + ": ", "duplicate key"});
    }
    // "fabric" twice, the second an object with "pfc" twice.
    json scenario = SmallScenario();
    scenario["fabric"] = "@";
    WriteText(dir / "scenario.json",
              WithRaw(scenario, R"({"pfc": true, "ecn": true, "pfc": false})"));
    RequireRejected(RunFabricscopeBounded(dir, "simulate scenario.json --out out --no-progress"),
                    {"scenario.json: /fabric/pfc: ", "duplicate key \"pfc\""});
    REQUIRE_FALSE(std::filesystem::exists(dir / "out"));
}

TEST_CASE("endless, huge and deeply nested JSON inputs are refused", "[integration][hostile]")
{
    auto dir = TempDir("hostile-huge");
    SECTION("devices and FIFOs are read up to 64 MiB")
    {
        std::string device = GENERATE(std::string("/dev/zero"), std::string("/dev/urandom"));
        RequireRejected(RunFabricscopeBounded(dir, "review " + device), {device + ": ", "64 MiB"});
        RequireRejected(RunFabricscopeBounded(dir, "simulate " + device + " --out out"),
                        {device + ": ", "64 MiB"});
        RequireRejected(RunFabricscopeBounded(dir, "review --rules " + device),
                        {device + ": ", "64 MiB"});
        RequireRejected(RunFabricscopeBounded(dir,
                                              "analyze '" + Capture() + "' --design " + device
                                                  + " -o out.json --no-progress"),
                        {device + ": ", "64 MiB"});
        REQUIRE(::mkfifo((dir / "design.fifo").c_str(), 0600) == 0);
        // An endless writer, on its own: SIGPIPE ends it once the reader gives up, and the
        // timeout if the reader never came.
        std::string writer = "cd '" + dir.string()
                             + "' && (timeout 70 sh -c 'exec cat /dev/zero > design.fifo' "
                               "</dev/null >/dev/null 2>&1 &)";
        REQUIRE(std::system(writer.c_str()) == 0);
        RequireRejected(RunFabricscopeBounded(dir, "review design.fifo"),
                        {"design.fifo: ", "64 MiB"});
    }
    SECTION("a regular file past the limit is refused by its size")
    {
        WriteText(dir / "big.json", "{");
        std::filesystem::resize_file(dir / "big.json", std::uintmax_t{1} << 30);
        RequireRejected(RunFabricscopeBounded(dir, "review big.json"),
                        {"big.json: ", "1 GiB", "at most 64 MiB"});
        RequireRejected(RunFabricscopeBounded(dir, "simulate big.json --out out"),
                        {"big.json: ", "1 GiB"});
    }
    SECTION("arrays nested 100,000 deep")
    {
        std::size_t depth = GENERATE(std::size_t{65}, std::size_t{100'000});
        json design = DesignFile();
        design["description"] = "@";
        WriteText(dir / "deep.json",
                  WithRaw(design, std::string(depth, '[') + std::string(depth, ']')));
        RequireRejected(RunFabricscopeBounded(dir, "review deep.json"),
                        {"deep.json: byte ", "nested deeper than 64 levels"});
        json rules = {{"schema", 1}, {"rules", "@"}};
        std::string objects;
        for (std::size_t i = 0; i < depth; ++i)
        {
            objects += "{\"k\": ";
        }
        WriteText(dir / "rules.json", WithRaw(rules, objects + "1" + std::string(depth, '}')));
        RequireRejected(RunFabricscopeBounded(dir, "review --rules rules.json"),
                        {"rules.json: byte ", "nested deeper"});
    }
}

TEST_CASE("control characters and broken UTF-8 from input never reach the terminal raw",
          "[integration][hostile]")
{
    auto dir = TempDir("hostile-control");
    auto requireClean = [](const CommandResult& result)
    {
        INFO(result.err);
        for (char c : {'\x1b', '\x07', '\x9b', '\xff'})
        {
            REQUIRE(result.err.find(c) == std::string::npos);
        }
        RequireNoCrashReport(result);
    };
    SECTION("a design's name in the log line")
    {
        json design = DesignFile();
        design["name"] = "\x1b[31mred\x07 \xc2\x9b"
                         "2J";
        WriteText(dir / "design.json", design.dump());
        auto result = RunFabricscopeBounded(dir, "review design.json -o - --format json");
        RequireRan(result);
        requireClean(result);
        REQUIRE(result.err.find("design=\"\\x1b[31mred\\x07 \\u009b2J\"") != std::string::npos);
    }
    SECTION("a switch model's name in an error")
    {
        json design = DesignFile();
        design["tiers"]["leaf"]["model"] = "sw\x1b]0;owned\x07";
        WriteText(dir / "design.json", design.dump());
        auto result = RunFabricscopeBounded(dir, "review design.json");
        RequireRejected(result, {"design.json: /tiers/leaf/model: ", "sw\\x1b]0;owned\\x07"});
        requireClean(result);
    }
    SECTION("a rule id and a job name in errors")
    {
        WriteText(dir / "rules.json",
                  json{{"schema", 1}, {"rules", {{"evil\x1b[2J", json::object()}}}}.dump());
        auto result = RunFabricscopeBounded(dir, "review --rules rules.json");
        RequireRejected(result, {"rules.json: /rules/evil\\x1b[2J: ", "unknown rule"});
        requireClean(result);
        json scenario = SmallScenario();
        scenario["jobs"].push_back(scenario["jobs"][0]);
        scenario["jobs"][1]["name"] = "\x1b[8mhidden";
        scenario["jobs"][1]["first_server"] = 0;
        WriteText(dir / "scenario.json", scenario.dump());
        result = RunFabricscopeBounded(dir, "simulate scenario.json --out out");
        RequireRejected(result, {"scenario.json: /jobs/1/first_server: "});
        requireClean(result);
    }
    SECTION("a file name and bytes that are not UTF-8")
    {
        WriteText(dir / "evil\x1b[31m.json", "{\"name\": \"\xff\"}");
        auto result = RunFabricscopeBounded(dir, "review evil*.json");
        RequireRejected(result, {"evil\\x1b[31m.json: byte ", "not valid JSON"});
        requireClean(result);
    }
    SECTION("LLDP names off the wire that are not UTF-8 make a valid JSON report")
    {
        auto tlv = [](std::vector<std::uint8_t>& out, int type, const std::string& value)
        {
            out.push_back(static_cast<std::uint8_t>(type << 1 | value.size() >> 8));
            out.push_back(static_cast<std::uint8_t>(value.size()));
            out.insert(out.end(), value.begin(), value.end());
        };
        std::vector<std::uint8_t> frame
            = {0x01, 0x80, 0xC2, 0x00, 0x00, 0x0E, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x88, 0xCC};
        tlv(frame, 1, "\x07sw\xff\x1b[31m");           // chassis id, locally assigned
        tlv(frame, 2, std::string("\x07p\xfe") + "1"); // port id, locally assigned
        tlv(frame, 3, std::string("\x00\x78", 2));     // TTL
        tlv(frame, 5, "\x1b[31mEVIL\xff\xc0");         // system name
        tlv(frame, 0, "");
        frame.resize(std::max<std::size_t>(frame.size(), 60), 0);
        REQUIRE(WritePcap(dir / "lldp.pcap", {frame}));
        auto result = RunFabricscopeBounded(
            dir,
            "analyze lldp.pcap --design builtin:roce-128-rail --format json -o out.json "
            "--no-progress --fail-on none");
        INFO(result.err);
        REQUIRE(result.exitCode == 0);
        requireClean(result);
        auto report = json::parse(ReadFile(dir / "out.json"));
        REQUIRE(report.dump().find("EVIL") != std::string::npos);
    }
}

TEST_CASE("seeds outside 0 to 10^12 exit 2 naming the flag or pointer and the range",
          "[integration][hostile]")
{
    auto dir = TempDir("hostile-seed");
    WriteText(dir / "scenario.json", SmallScenario().dump());
    std::string seed = GENERATE(as<std::string>{},
                                "-1",
                                "18446744073709551615",
                                "18446744073709551616",
                                "99999999999999999999999999",
                                "1000000000001",
                                "1e3",
                                "0x10",
                                "010",
                                "' 7'",
                                "''");
    INFO("--seed " << seed);
    RequireRejected(RunFabricscopeBounded(dir, "simulate scenario.json --out out --seed " + seed),
                    {"--seed: ", "from 0 to 1,000,000,000,000"});
    REQUIRE_FALSE(std::filesystem::exists(dir / "out"));

    std::string value = GENERATE(
        as<std::string>{}, "-1", "1000000000001", "18446744073709551616", "1e400", "1.5", "\"7\"");
    INFO("\"seed\": " << value);
    json scenario = SmallScenario();
    scenario["seed"] = "@";
    WriteText(dir / "bad.json", WithRaw(scenario, value));
    RequireRejected(RunFabricscopeBounded(dir, "simulate bad.json --out out"),
                    {"bad.json: /seed: "});
}

TEST_CASE("the largest seed runs, on the command line and in the scenario",
          "[integration][hostile]")
{
    auto dir = TempDir("hostile-seed-edge");
    json scenario = SmallScenario();
    scenario["seed"] = 1'000'000'000'000;
    WriteText(dir / "scenario.json", scenario.dump());
    auto result = RunFabricscopeBounded(
        dir, "simulate scenario.json --out a --no-progress --format json --seed 1000000000000");
    RequireRan(result);
    REQUIRE(json::parse(ReadFile(dir / "a" / "summary.json"))["seed"] == 1'000'000'000'000);
    RequireRan(RunFabricscopeBounded(dir, "simulate scenario.json --out b --no-progress --seed 0"));
    REQUIRE(json::parse(ReadFile(dir / "b" / "summary.json"))["seed"] == 0);
}

TEST_CASE("oversubscription beyond one uplink exits 2 naming the range", "[integration][hostile]")
{
    auto dir = TempDir("hostile-oversubscription");
    SECTION("the flag, against the radix")
    {
        auto [flags, range] = GENERATE(table<std::string, std::string>({
            {"--oversubscription 64:1", "1:63 to 63:1"},
            {"--oversubscription 65:1", "1:63 to 63:1"},
            {"--oversubscription 1e9:1", "1:63 to 63:1"},
            {"--oversubscription 1:64", "1:63 to 63:1"},
            {"--oversubscription 0.001", "1:63 to 63:1"},
            {"--oversubscription 32:1 --switch-radix 32", "1:31 to 31:1"},
        }));
        RequireRejected(RunFabricscopeBounded(dir, "review --gpus 1024 " + flags),
                        {"--oversubscription: ", range});
    }
    SECTION("the design keys")
    {
        std::string tier = GENERATE(std::string("leaf"), std::string("spine"));
        json design = DesignFile();
        design["tiers"][tier]["oversubscription"] = "64:1";
        WriteText(dir / "design.json", design.dump());
        RequireRejected(RunFabricscopeBounded(dir, "review design.json"),
                        {"design.json: /tiers/" + tier + "/oversubscription: ", "to 63:1"});
    }
    SECTION("the largest ratio a radix splits runs, and the plan has it exactly")
    {
        auto result = RunFabricscopeBounded(
            dir, "review --gpus 1024 --oversubscription 63:1 --format json -o -");
        RequireRan(result);
        bool found = false;
        auto report = json::parse(result.out);
        for (const auto& finding : report["findings"])
        {
            if (finding["rule"] == "design.oversubscription")
            {
                REQUIRE(finding["evidence"]["down_ports"] == "63");
                REQUIRE(finding["evidence"]["up_ports"] == "1");
                found = true;
            }
        }
        REQUIRE(found);
        RequireRan(RunFabricscopeBounded(dir, "review --gpus 1024 --oversubscription 1:63"));
    }
}

TEST_CASE("rule thresholds out of range or order exit 2 naming the pointer",
          "[integration][hostile]")
{
    auto dir = TempDir("hostile-rules");
    auto [command, rule, overrides, pointer]
        = GENERATE(table<std::string, std::string, std::string, std::string>({
            {"review", "design.cost-share", R"({"min_share": 0.3})", "min_share"},
            {"review", "design.cost-share", R"({"min_share": 0.2, "max_share": 0.1})", "max_share"},
            {"review", "design.cost-share", R"({"max_share": 1.5})", "max_share"},
            {"review", "design.oversubscription", R"({"max_leaf_ratio": -1})", "max_leaf_ratio"},
            {"review", "design.hop-count", R"({"max_switch_hops": 1e300})", "max_switch_hops"},
            {"analyze", "capture.pause-ratio", R"({"max_ratio": 2})", "max_ratio"},
            {"analyze", "capture.pfc-storm", R"({"min_pause_ms": -5})", "min_pause_ms"},
            {"analyze", "capture.pfc-storm", R"({"min_pause_ms": 1e300})", "min_pause_ms"},
            {"collect", "capture.ecn-ce-ratio", R"({"max_ratio": -0.1})", "max_ratio"},
        }));
    INFO(command << " " << rule << " " << overrides);
    WriteText(dir / "rules.json",
              R"({"schema": 1, "rules": {")" + rule + "\": " + overrides + "}}");
    std::string arguments = command == "review" ? "review --rules rules.json"
                            : command == "analyze"
                                ? "analyze '" + Capture() + "' --rules rules.json -o out.json"
                                : "collect --rules rules.json --sflow 127.0.0.1:0 "
                                  "--prometheus 127.0.0.1:0 --duration 1s";
    RequireRejected(RunFabricscopeBounded(dir, arguments),
                    {"rules.json: /rules/" + rule + "/" + pointer + ": ", "expected"});
}

TEST_CASE("thresholds inside their range and order run", "[integration][hostile]")
{
    auto dir = TempDir("hostile-rules-ok");
    WriteText(dir / "rules.json",
              R"({"schema": 1, "rules": {"design.cost-share": {"min_share": 0, "max_share": 1},
                  "design.hop-count": {"max_switch_hops": 0}}})");
    RequireRan(RunFabricscopeBounded(dir, "review --rules rules.json -o - --format json"));
    WriteText(dir / "rules.json",
              R"({"schema": 1, "rules": {"capture.pfc-storm": {"min_pause_ms": 1e9}}})");
    RequireRan(RunFabricscopeBounded(
        dir, "analyze '" + Capture() + "' --rules rules.json -o out.json --no-progress"));
}

TEST_CASE("MTUs outside 256 to 9,216 B (4,096 B on InfiniBand) exit 2 naming the pointer",
          "[integration][hostile]")
{
    auto dir = TempDir("hostile-mtu");
    std::string value = GENERATE(as<std::string>{},
                                 "0",
                                 "1",
                                 "255",
                                 "9217",
                                 "1000000000",
                                 "-1",
                                 "4294967296",
                                 "1e9",
                                 "\"4096\"");
    INFO("MTU " << value);
    json design = DesignFile();
    design["mtu"]["nic"] = "@";
    WriteText(dir / "design.json", WithRaw(design, value));
    RequireRejected(RunFabricscopeBounded(dir, "review design.json"),
                    {"design.json: /mtu/nic: ", "[256, 9216]"});
    design = DesignFile();
    design["mtu"]["switch"] = "@";
    WriteText(dir / "design.json", WithRaw(design, value));
    RequireRejected(RunFabricscopeBounded(dir, "review design.json"),
                    {"design.json: /mtu/switch: ", "[256, 9216]"});
    json scenario = SmallScenario();
    scenario["fabric"] = {{"mtu_bytes", "@"}};
    WriteText(dir / "scenario.json", WithRaw(scenario, value));
    RequireRejected(RunFabricscopeBounded(dir, "simulate scenario.json --out out"),
                    {"scenario.json: /fabric/mtu_bytes: ", "[256, 9216]"});
    REQUIRE_FALSE(std::filesystem::exists(dir / "out"));
}

TEST_CASE("InfiniBand MTUs end at 4,096 B; the edges run", "[integration][hostile]")
{
    auto dir = TempDir("hostile-mtu-ib");
    json design = DesignFile("ib-ndr-1024-superpod");
    design["mtu"]["nic"] = 8192;
    WriteText(dir / "design.json", design.dump());
    RequireRejected(RunFabricscopeBounded(dir, "review design.json"),
                    {"design.json: /mtu/nic: ", "[256, 4096]"});
    design["mtu"]["nic"] = 4096;
    WriteText(dir / "design.json", design.dump());
    RequireRan(RunFabricscopeBounded(dir, "review design.json"));
    json roce = DesignFile();
    roce["mtu"] = {{"nic", 256}, {"switch", 9216}};
    WriteText(dir / "design.json", roce.dump());
    RequireRan(RunFabricscopeBounded(dir, "review design.json"));
    json scenario = SmallScenario();
    scenario["fabric"] = {{"mtu_bytes", 9216}};
    WriteText(dir / "scenario.json", scenario.dump());
    RequireRan(RunFabricscopeBounded(dir, "simulate scenario.json --out out --no-progress"));
}

TEST_CASE("outputs that cannot be written exit 2 naming the flag, before the run",
          "[integration][hostile]")
{
    auto dir = TempDir("hostile-out");
    WriteText(dir / "scenario.json", SmallScenario().dump());
    WriteText(dir / "taken", "a file");
    auto [flag, path, why] = GENERATE(table<std::string, std::string, std::string>({
        {"--out", "''", "empty path"},
        {"--out", "taken", "\"taken\" is a file"},
        {"--out", "taken/run", "cannot create the folder"},
        {"--out", "/proc/fabricscope-out", "cannot create the folder"},
        {"--sflow-pcap", "''", "empty path"},
        {"--sflow-pcap", ".", "is a folder"},
        {"--sflow-pcap", "taken/sflow.pcap", "\"taken\" is a file"},
    }));
    std::string out = flag == "--out" ? "" : " --out run";
    auto result = RunFabricscopeBounded(dir, "simulate scenario.json " + flag + " " + path + out);
    RequireRejected(result, {flag + ": ", why});
    // Nothing ran: no summary anywhere.
    REQUIRE(result.out.empty());
    REQUIRE(result.err.find("simulated") == std::string::npos);
    REQUIRE_FALSE(std::filesystem::exists(dir / "run" / "summary.json"));
}

TEST_CASE("a read-only output folder exits 2 (for users who cannot write there)",
          "[integration][hostile]")
{
    if (::geteuid() == 0)
    {
        // Root writes into a 0555 folder, and so does the simulation: nothing to refuse.
        SUCCEED("running as root");
        return;
    }
    auto dir = TempDir("hostile-readonly");
    WriteText(dir / "scenario.json", SmallScenario().dump());
    std::filesystem::create_directories(dir / "locked");
    std::filesystem::permissions(
        dir / "locked", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    RequireRejected(RunFabricscopeBounded(dir, "simulate scenario.json --out locked"),
                    {"--out: ", "cannot write in the folder"});
    std::filesystem::permissions(dir / "locked", std::filesystem::perms::owner_all);
}

TEST_CASE("demo -o that cannot be a folder exits 2 before writing", "[integration][hostile]")
{
    auto dir = TempDir("hostile-demo");
    WriteText(dir / "taken", "a file");
    std::string path = GENERATE(std::string("''"), std::string("taken"));
    RequireRejected(RunFabricscopeBounded(dir, "demo -o " + path), {"-o: "});
}

TEST_CASE("a link sweep needs its one failure", "[integration][hostile]")
{
    auto dir = TempDir("hostile-sweep");
    json scenario = SmallScenario();
    scenario["sweep"] = {{"links", "leaf-spine"}};
    WriteText(dir / "scenario.json", scenario.dump());
    RequireRejected(RunFabricscopeBounded(dir, "simulate scenario.json --out out"),
                    {"scenario.json: /failures: ", "link sweep", "one failure"});
    scenario["failures"] = json::array();
    WriteText(dir / "scenario.json", scenario.dump());
    RequireRejected(RunFabricscopeBounded(dir, "simulate scenario.json --out out"),
                    {"scenario.json: /failures: ", "found 0"});
    scenario["failures"] = {{{"kind", "link-down"}, {"at", "200us"}, {"target", "leaf-0-0:4"}}};
    WriteText(dir / "scenario.json", scenario.dump());
    RequireRejected(RunFabricscopeBounded(dir, "simulate scenario.json --out out"),
                    {"scenario.json: /failures/0/target: "});
    scenario["sweep"] = {{"links", "leaf-spine"}, {"limit", 2}};
    scenario["failures"] = {{{"kind", "link-down"}, {"at", "200us"}}};
    WriteText(dir / "scenario.json", scenario.dump());
    RequireRan(RunFabricscopeBounded(dir, "simulate scenario.json --out out --no-progress"));
}

TEST_CASE("capture patterns that match no port exit 2 naming the pattern", "[integration][hostile]")
{
    // The design is fixed and so are its port names: a pattern matching none is a typo.
    auto dir = TempDir("hostile-capture");
    auto [patterns, pointer] = GENERATE(table<json, std::string>({
        {{"leaf-9-*"}, "/outputs/capture/0"},
        {{"leaf-0-0:7", "nosuch"}, "/outputs/capture/1"},
        {{"spine-*:999"}, "/outputs/capture/0"},
        {{"srv-0:nic1"}, "/outputs/capture/0"},
        {{""}, "/outputs/capture/0"},
        {{"leaf-0-0", "leaf-0-0:"}, "/outputs/capture/1"},
    }));
    json scenario = SmallScenario();
    scenario["outputs"]["capture"] = patterns;
    WriteText(dir / "scenario.json", scenario.dump());
    RequireRejected(RunFabricscopeBounded(dir, "simulate scenario.json --out out"),
                    {"scenario.json: " + pointer + ": ", "matches no port"});
}

TEST_CASE("capture patterns that match ports capture them", "[integration][hostile]")
{
    auto dir = TempDir("hostile-capture-ok");
    json scenario = SmallScenario();
    scenario["outputs"]["capture"] = {"leaf-0-*", "spine-*:0", "srv-0:nic0"};
    WriteText(dir / "scenario.json", scenario.dump());
    RequireRan(RunFabricscopeBounded(dir, "simulate scenario.json --out out --no-progress"));
    for (const char* file :
         {"leaf-0-0_0.pcap", "leaf-0-0_7.pcap", "spine-0-0_0.pcap", "srv-0_nic0.pcap"})
    {
        INFO(file);
        REQUIRE(std::filesystem::exists(dir / "out" / "captures" / file));
    }
}

TEST_CASE("numbers of the wrong kind or size exit 2 naming the pointer", "[integration][hostile]")
{
    auto dir = TempDir("hostile-numbers");
    SECTION("design")
    {
        auto [pointer, value] = GENERATE(table<std::string, std::string>({
            {"/servers/count", "1e308"},
            {"/servers/count", "-64"},
            {"/servers/count", "\"64\""},
            {"/servers/count", "4294967312"},
            {"/servers/count", "1.5"},
            {"/servers/gpus", "18446744073709551615"},
            {"/tiers/count", "4294967298"},
            {"/switch_models/25.6T-64x400G/ports", "1e308"},
            {"/servers/nic_speed", "\"1e30Gbps\""},
            {"/links/leaf_spine/length", "\"1e300m\""},
            {"/switch_models/25.6T-64x400G/cage_power_class", "\"1e300W\""},
            {"/switch_models/25.6T-64x400G/buffer", "\"-1MiB\""},
            {"/servers/price_usd", "1e308"},
        }));
        json design = DesignFile();
        design[json::json_pointer(pointer)] = "@";
        WriteText(dir / "design.json", WithRaw(design, value));
        RequireRejected(RunFabricscopeBounded(dir, "review design.json"),
                        {"design.json: " + pointer + ": ", "expected"});
    }
    SECTION("scenario")
    {
        auto [pointer, value] = GENERATE(table<std::string, std::string>({
            {"/jobs/0/gpus", "1e308"},
            {"/jobs/0/gpus", "-8"},
            {"/jobs/0/bytes", "\"1e400B\""},
            {"/jobs/0/bytes", "\"-1MiB\""},
            {"/jobs/0/bytes", "1048576"},
            {"/stop/iterations", "4294967297"},
            {"/stop/time", "\"1e300s\""},
            {"/stop/time", "\"9223372036854775807ns\""},
            {"/outputs/interval", "\"0us\""},
            {"/fabric/transport/retransmit_timeout", "\"1e20s\""},
            {"/fabric/scale_up/rate", "\"1e30Gbps\""},
            {"/jobs/0/priority", "8"},
        }));
        json scenario = SmallScenario();
        scenario[json::json_pointer(pointer)] = "@";
        WriteText(dir / "scenario.json", WithRaw(scenario, value));
        RequireRejected(RunFabricscopeBounded(dir, "simulate scenario.json --out out"),
                        {"scenario.json: " + pointer + ": ", "expected"});
        REQUIRE_FALSE(std::filesystem::exists(dir / "out"));
    }
}
