// Reading a scenario's "outputs"/"sflow": the simulator as an sFlow agent.
#include "fabric/helper/scenario-reading.h"
#include "topologies/model/quantity-json.h"

#include <string>

namespace ns3::fabric
{

namespace
{

/** "HOST:PORT" with a port in 1..65535; the command line resolves and checks the host. */
bool
LooksLikeCollector(const std::string& text)
{
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()
        || text.size() - colon - 1 > 5)
    {
        return false;
    }
    std::uint32_t port = 0;
    for (std::size_t i = colon + 1; i < text.size(); ++i)
    {
        if (text[i] < '0' || text[i] > '9')
        {
            return false;
        }
        port = port * 10 + static_cast<std::uint32_t>(text[i] - '0');
    }
    return port >= 1 && port <= 65535;
}

} // namespace

void
ReadSflow(fab::telemetry::JsonObjectReader& outputs, Scenario& scenario)
{
    if (!outputs.Has("sflow"))
    {
        outputs.Optional("sflow");
        return;
    }
    fab::telemetry::JsonObjectReader reader = outputs.Object("sflow");
    if (scenario.design.fabric == topo::FabricKind::Infiniband)
    {
        throw fab::telemetry::InputError(outputs.PointerOf("sflow"),
                                         "sFlow samples Ethernet frames; this design's fabric is "
                                         "InfiniBand");
    }
    SflowExportConfig config;
    config.collector = reader.String("collector", "");
    if (!config.collector.empty() && !LooksLikeCollector(config.collector))
    {
        reader.Fail("collector",
                    "expected \"ADDRESS:PORT\" such as \"127.0.0.1:6343\", found \""
                        + config.collector + "\"");
    }
    config.samplingRate = static_cast<std::uint32_t>(
        reader.Integer("sampling_rate", 0, 1'000'000'000, config.samplingRate));
    config.counterIntervalNs
        = topo::ReadDurationNs(reader, "counter_interval", config.counterIntervalNs);
    if (config.counterIntervalNs < 1'000)
    {
        reader.Fail("counter_interval",
                    "expected at least \"1us\", found " + std::to_string(config.counterIntervalNs)
                        + " ns");
    }
    config.headerBytes
        = static_cast<std::uint32_t>(reader.Integer("header_bytes", 14, 256, config.headerBytes));
    config.pcap = reader.String("pcap", "");
    reader.Finish();
    scenario.outputs.sflow = config;
}

} // namespace ns3::fabric
