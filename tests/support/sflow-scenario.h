// A small scenario for the sFlow tests, and the UDP payloads of a pcap the simulator wrote.
#ifndef FABRICSCOPE_TESTS_SUPPORT_SFLOW_SCENARIO_H
#define FABRICSCOPE_TESTS_SUPPORT_SFLOW_SCENARIO_H

#include "support/run-command.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

namespace fab::tests
{

using nlohmann::json;

/** A ring AllReduce of 2 MiB over 8 single-NIC servers on 2 leaves. */
inline json
SmallScenario()
{
    return json::parse(R"({
      "schema": 1,
      "name": "sflow-cli",
      "design": {
        "schema": 1, "name": "8 servers, 2 leaves", "fabric": "roce",
        "servers": {"count": 8, "gpus": 1, "nics": 1, "nic_speed": "100Gbps"},
        "switch_models": {"sw": {"ports": 8, "port_speed": "100Gbps", "ecmp_max_paths": 64}},
        "tiers": {"count": 2, "leaf": {"model": "sw"}, "spine": {"model": "sw"}}
      },
      "jobs": [{"kind": "collective", "name": "ring", "op": "allreduce", "bytes": "2MiB",
                "gpus": 8, "gpus_per_server": 1}],
      "stop": {"iterations": 1},
      "outputs": {"series": false, "trace": false}
    })");
}

inline void
WriteJson(const std::filesystem::path& path, const json& document)
{
    std::ofstream(path) << document.dump(2);
}

/** UDP payloads of a classic pcap of Ethernet/IPv4/UDP frames (no options, no VLAN). */
inline std::vector<std::vector<std::uint8_t>>
PcapPayloads(const std::filesystem::path& path)
{
    std::string bytes = ReadFile(path);
    std::vector<std::vector<std::uint8_t>> payloads;
    for (std::size_t at = 24; at + 16 <= bytes.size();)
    {
        std::uint32_t captured = 0;
        std::memcpy(&captured, bytes.data() + at + 8, 4);
        at += 16;
        if (at + captured > bytes.size() || captured < 42)
        {
            break;
        }
        payloads.emplace_back(bytes.begin() + static_cast<std::ptrdiff_t>(at + 42),
                              bytes.begin() + static_cast<std::ptrdiff_t>(at + captured));
        at += captured;
    }
    return payloads;
}

} // namespace fab::tests

#endif
