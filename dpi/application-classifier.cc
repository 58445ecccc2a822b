#include "dpi/application-classifier.h"

#include "dpi/rdma-flow-table.h"

extern "C"
{
#include <ndpi/ndpi_api.h>
}

#include <algorithm>
#include <cstring>
#include <vector>

namespace fab::dpi
{

struct ApplicationClassifier::Impl
{
    struct State
    {
        ndpi_flow_struct* flow{nullptr};
        std::uint32_t fed{0};
        bool decided{false};
    };

    ndpi_detection_module_struct* module{nullptr};
    std::deque<ApplicationFlow> flows;
    std::vector<State> states;
    FlowIndex index;

    Impl()
    {
        module = ndpi_init_detection_module(ndpi_no_prefs);
        NDPI_PROTOCOL_BITMASK all;
        NDPI_BITMASK_SET_ALL(all);
        ndpi_set_protocol_detection_bitmask2(module, &all);
        ndpi_finalize_initialization(module);
    }

    ~Impl()
    {
        for (auto& state : states)
        {
            Release(state);
        }
        if (module != nullptr)
        {
            ndpi_exit_detection_module(module);
        }
    }

    static void Release(State& state)
    {
        if (state.flow != nullptr)
        {
            ndpi_free_flow(state.flow);
            state.flow = nullptr;
        }
    }

    std::string Name(ndpi_protocol protocol)
    {
        char name[64];
        return ndpi_protocol2name(module, protocol, name, sizeof name);
    }

    void Decide(std::size_t i, ndpi_protocol protocol, bool guessed)
    {
        flows[i].application = Name(protocol);
        flows[i].guessed = guessed;
        states[i].decided = true;
        Release(states[i]);
    }
};

ApplicationClassifier::ApplicationClassifier()
: m_impl(std::make_unique<Impl>())
{
}

ApplicationClassifier::~ApplicationClassifier() = default;
ApplicationClassifier::ApplicationClassifier(ApplicationClassifier&&) noexcept = default;
ApplicationClassifier& ApplicationClassifier::operator=(ApplicationClassifier&&) noexcept = default;

void
ApplicationClassifier::Add(const DecodedPacket& packet,
                           const std::uint8_t* frame,
                           std::int64_t timeNs)
{
    Impl& impl = *m_impl;
    // The conversation, both directions in one: the lower (address, port) end first.
    ApplicationFlow key;
    std::uint16_t sport = packet.Has(Layer::Udp)   ? packet.udp.sourcePort
                          : packet.Has(Layer::Tcp) ? packet.tcp.sourcePort
                                                   : 0;
    std::uint16_t dport = packet.Has(Layer::Udp)   ? packet.udp.destinationPort
                          : packet.Has(Layer::Tcp) ? packet.tcp.destinationPort
                                                   : 0;
    bool forward = std::tie(packet.ip.source, sport) <= std::tie(packet.ip.destination, dport);
    key.lowAddress = forward ? packet.ip.source : packet.ip.destination;
    key.highAddress = forward ? packet.ip.destination : packet.ip.source;
    key.lowPort = forward ? sport : dport;
    key.highPort = forward ? dport : sport;
    key.protocol = packet.ip.protocol;
    RdmaFlowKey hashed;
    hashed.source.bytes = key.lowAddress;
    hashed.destination.bytes = key.highAddress;
    hashed.destinationQp = (std::uint32_t{key.lowPort} << 16 | key.highPort) ^ key.protocol;
    std::uint64_t hash = HashFlowKey(hashed);
    auto same = [&](std::uint32_t i)
    {
        const ApplicationFlow& f = impl.flows[i];
        return f.protocol == key.protocol && f.lowPort == key.lowPort && f.highPort == key.highPort
               && f.lowAddress == key.lowAddress && f.highAddress == key.highAddress;
    };
    std::uint32_t i = impl.index.Find(hash, same);
    if (i == FlowIndex::kNone)
    {
        key.firstNs = timeNs;
        key.application = "Unknown";
        impl.flows.push_back(key);
        impl.states.emplace_back();
        i = static_cast<std::uint32_t>(impl.flows.size() - 1);
        impl.index.Insert(hash, i);
    }
    ApplicationFlow& flow = impl.flows[i];
    flow.packets++;
    flow.bytes += packet.wireLength;
    flow.lastNs = timeNs;
    Impl::State& state = impl.states[i];
    if (state.decided)
    {
        return;
    }
    if (state.flow == nullptr)
    {
        state.flow = static_cast<ndpi_flow_struct*>(ndpi_flow_malloc(SIZEOF_FLOW_STRUCT));
        if (state.flow == nullptr)
        {
            state.decided = true;
            return;
        }
        std::memset(state.flow, 0, SIZEOF_FLOW_STRUCT);
    }
    std::size_t available
        = packet.capturedLength > packet.ipOffset ? packet.capturedLength - packet.ipOffset : 0;
    auto length = static_cast<unsigned short>(
        std::min<std::size_t>({available, packet.ip.totalLength, 0xFFFF}));
    ndpi_protocol protocol
        = ndpi_detection_process_packet(impl.module,
                                        state.flow,
                                        frame + packet.ipOffset,
                                        length,
                                        static_cast<std::uint64_t>(timeNs / 1'000'000));
    state.fed++;
    if (protocol.app_protocol != NDPI_PROTOCOL_UNKNOWN
        || protocol.master_protocol != NDPI_PROTOCOL_UNKNOWN)
    {
        impl.Decide(i, protocol, false);
    }
    else if (state.fed >= kPacketsToDecide)
    {
        std::uint8_t guessed = 0;
        impl.Decide(i, ndpi_detection_giveup(impl.module, state.flow, 1, &guessed), guessed != 0);
    }
}

void
ApplicationClassifier::Finish()
{
    Impl& impl = *m_impl;
    for (std::size_t i = 0; i < impl.flows.size(); ++i)
    {
        if (!impl.states[i].decided && impl.states[i].flow != nullptr)
        {
            std::uint8_t guessed = 0;
            impl.Decide(i,
                        ndpi_detection_giveup(impl.module, impl.states[i].flow, 1, &guessed),
                        guessed != 0);
        }
    }
}

const std::deque<ApplicationFlow>&
ApplicationClassifier::Flows() const
{
    return m_impl->flows;
}

std::map<std::string, std::uint64_t>
ApplicationClassifier::PacketsByApplication() const
{
    std::map<std::string, std::uint64_t> packets;
    for (const auto& flow : m_impl->flows)
    {
        packets[flow.application] += flow.packets;
    }
    return packets;
}

} // namespace fab::dpi
