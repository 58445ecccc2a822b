#include "fabric/helper/fabric-sampler.h"

#include "fabric/helper/fault-injector.h"

#include <algorithm>
#include <limits>
#include <ns3/simulator.h>
#include <numeric>

namespace ns3::fabric
{

namespace
{

std::uint64_t
Sum(const std::array<std::uint64_t, 8>& values)
{
    return std::accumulate(values.begin(), values.end(), std::uint64_t{0});
}

std::int64_t
Sum(const std::array<std::int64_t, 8>& values)
{
    return std::accumulate(values.begin(), values.end(), std::int64_t{0});
}

} // namespace

std::string
LinkClass::Name() const
{
    switch (tier)
    {
        case topo::LinkTier::ServerLeaf:
            return upward ? "server→leaf" : "leaf→server";
        case topo::LinkTier::LeafSpine:
            return upward ? "leaf→spine" : "spine→leaf";
        case topo::LinkTier::SpineCore:
            return upward ? "spine→core" : "core→spine";
    }
    return "link";
}

FabricSampler::FabricSampler(FabricBuilder& fabric,
                             const ScheduleRunner& runner,
                             std::int64_t intervalNs,
                             std::ostream* ports,
                             std::ostream* queuePairs)
: m_fabric(fabric)
, m_runner(runner)
, m_intervalNs(intervalNs)
{
    if (ports != nullptr)
    {
        m_ports
            = std::make_unique<fab::telemetry::CsvWriter>(*ports,
                                                          std::vector<std::string>{"time_ns",
                                                                                   "port",
                                                                                   "link",
                                                                                   "tx_bytes",
                                                                                   "tx_packets",
                                                                                   "utilisation",
                                                                                   "queue_bytes",
                                                                                   "pfc_pause_tx",
                                                                                   "pfc_pause_rx",
                                                                                   "paused_ns",
                                                                                   "ecn_marked",
                                                                                   "cnp_tx",
                                                                                   "drops"});
    }
    if (queuePairs != nullptr)
    {
        m_qps = std::make_unique<fab::telemetry::CsvWriter>(*queuePairs,
                                                            std::vector<std::string>{"time_ns",
                                                                                     "job",
                                                                                     "src_rank",
                                                                                     "dst_rank",
                                                                                     "channel",
                                                                                     "qp",
                                                                                     "sent_bytes",
                                                                                     "gbps",
                                                                                     "rate_gbps",
                                                                                     "cnps"});
    }
    for (const auto& record : m_fabric.Ports())
    {
        LinkClass c{record.tier, record.upward};
        auto it = std::find_if(m_classes.begin(),
                               m_classes.end(),
                               [&](const LinkClass& k)
                               { return k.tier == c.tier && k.upward == c.upward; });
        if (it == m_classes.end())
        {
            m_classes.push_back(c);
            m_portsInClass.push_back(0);
            it = m_classes.end() - 1;
        }
        auto index = static_cast<std::uint32_t>(it - m_classes.begin());
        m_classOf.push_back(index);
        m_portsInClass[index]++;
    }
    m_portBefore.resize(m_fabric.Ports().size());
    auto portCount = static_cast<std::uint32_t>(m_fabric.Ports().size());
    m_activePorts = ActivitySet(portCount);
    m_activePorts.InsertAll(portCount); // the first sample reads them all
    for (std::uint32_t i = 0; i < portCount; ++i)
    {
        m_fabric.Ports()[i].device->SetActivitySet(&m_activePorts, i);
    }
}

FabricSampler::~FabricSampler()
{
    for (const auto& record : m_fabric.Ports())
    {
        record.device->SetActivitySet(nullptr, 0);
    }
}

void
FabricSampler::Start()
{
    Simulator::Schedule(NanoSeconds(m_intervalNs), &FabricSampler::Sample, this);
}

void
FabricSampler::Sample()
{
    std::int64_t now = Simulator::Now().GetNanoSeconds();
    FabricSample sample;
    sample.timeNs = now;
    sample.utilisation.assign(m_classes.size(), 0.0);
    // Ports left out did nothing: their share of every sum is an exact zero, and they have no row.
    m_activePorts.Sweep([&](std::uint32_t i) { return SamplePort(i, now, sample); });
    for (std::size_t k = 0; k < m_classes.size(); ++k)
    {
        sample.utilisation[k] /= std::max(1u, m_portsInClass[k]);
    }
    m_samples.push_back(std::move(sample));

    const auto& qps = m_runner.QueuePairs();
    m_qpBefore.resize(qps.size());
    for (std::size_t q = 0; q < qps.size(); ++q)
    {
        const QueuePairRecord& record = qps[q];
        const RoceFlowState& flow = m_fabric.Host(record.server)->GetFlow(record.flow);
        QueuePairBefore& before = m_qpBefore[q];
        std::uint64_t sent = flow.sentBytes - before.sentBytes;
        std::uint64_t cnps = flow.cnps - before.cnps;
        if (m_qps && (sent != 0 || cnps != 0))
        {
            double rate = flow.rate ? static_cast<double>(flow.rate->CurrentRateBps()) / 1e9
                                    : static_cast<double>(m_fabric.Host(record.server)
                                                              ->GetPort(flow.spec.port)
                                                              ->GetDataRate()
                                                              .GetBitRate())
                                          / 1e9;
            m_qps->AddRow({now,
                           m_runner.Job(record.job).name,
                           record.srcRank,
                           record.dstRank,
                           record.channel,
                           flow.spec.destQp,
                           sent,
                           static_cast<double>(sent) * 8 / static_cast<double>(m_intervalNs),
                           rate,
                           cnps});
        }
        before = {flow.sentBytes, flow.cnps};
    }
    Simulator::Schedule(NanoSeconds(m_intervalNs), &FabricSampler::Sample, this);
}

bool
FabricSampler::SamplePort(std::uint32_t i, std::int64_t now, FabricSample& sample)
{
    const auto& ports = m_fabric.Ports();
    const FabricNetDevice& port = *ports[i].device;
    const PortCounters& c = port.GetCounters();
    PortBefore after{c.txBytes,
                     c.txPackets,
                     Sum(c.pfcPauseTx),
                     Sum(c.pfcPauseRx),
                     Sum(c.pausedNs),
                     c.ecnMarked,
                     c.TotalDrops(),
                     c.cnpTx};
    PortBefore& before = m_portBefore[i];
    std::uint64_t queue = port.GetQueueBytes();
    double utilisation = static_cast<double>(after.txBytes - before.txBytes) * 8e9
                         / static_cast<double>(m_intervalNs)
                         / static_cast<double>(port.GetDataRate().GetBitRate());
    sample.utilisation[m_classOf[i]] += utilisation;
    if (ports[i].tier == topo::LinkTier::ServerLeaf && !ports[i].upward)
    {
        sample.deliveredGbps += static_cast<double>(after.txBytes - before.txBytes) * 8
                                / static_cast<double>(m_intervalNs);
    }
    sample.pauseFrames += after.pauseTx - before.pauseTx;
    sample.ecnMarked += after.ecnMarked - before.ecnMarked;
    if (ports[i].tier != topo::LinkTier::ServerLeaf || !ports[i].upward)
    {
        sample.maxSwitchQueueBytes = std::max(sample.maxSwitchQueueBytes, queue);
    }
    else
    {
        sample.cnps += after.cnpTx - before.cnpTx; // generated by NICs
    }
    bool active = after.txPackets != before.txPackets || queue != 0
                  || after.pausedNs != before.pausedNs || after.drops != before.drops;
    if (m_ports && active)
    {
        m_ports->AddRow({now,
                         port.GetPortName(),
                         m_classes[m_classOf[i]].Name(),
                         after.txBytes - before.txBytes,
                         after.txPackets - before.txPackets,
                         utilisation,
                         queue,
                         after.pauseTx - before.pauseTx,
                         after.pauseRx - before.pauseRx,
                         after.pausedNs - before.pausedNs,
                         after.ecnMarked - before.ecnMarked,
                         after.cnpTx - before.cnpTx,
                         after.drops - before.drops});
    }
    before = after;
    return queue != 0; // still busy: look again next time even if nothing moves
}

std::vector<FabricSample>
Downsample(const std::vector<FabricSample>& samples, std::size_t maxPoints)
{
    std::size_t step = (samples.size() + maxPoints - 1) / maxPoints;
    if (step <= 1)
    {
        return samples;
    }
    std::vector<FabricSample> out;
    for (std::size_t i = 0; i < samples.size(); i += step)
    {
        FabricSample merged = samples[i];
        std::size_t n = 1;
        for (std::size_t k = i + 1; k < std::min(samples.size(), i + step); ++k, ++n)
        {
            for (std::size_t c = 0; c < merged.utilisation.size(); ++c)
            {
                merged.utilisation[c] += samples[k].utilisation[c];
            }
            merged.maxSwitchQueueBytes
                = std::max(merged.maxSwitchQueueBytes, samples[k].maxSwitchQueueBytes);
            merged.pauseFrames += samples[k].pauseFrames;
            merged.ecnMarked += samples[k].ecnMarked;
            merged.cnps += samples[k].cnps;
            merged.deliveredGbps += samples[k].deliveredGbps;
            merged.timeNs = samples[k].timeNs;
        }
        for (auto& u : merged.utilisation)
        {
            u /= static_cast<double>(n);
        }
        merged.deliveredGbps /= static_cast<double>(n);
        out.push_back(std::move(merged));
    }
    return out;
}

void
MeasureThroughputDips(std::vector<FailureRecord>& failures,
                      const std::vector<FabricSample>& samples,
                      const std::vector<std::int64_t>& windowEndNs)
{
    constexpr std::size_t kBefore = 5;
    constexpr double kDip = 0.5; // collectives' own phases swing by tens of percent
    constexpr std::int64_t kTailIntervals = 2;
    for (std::size_t f = 0; f < failures.size(); ++f)
    {
        FailureRecord& record = failures[f];
        std::int64_t at = record.spec.atNs;
        std::int64_t until = f < windowEndNs.size() ? windowEndNs[f] : at;
        if (f + 1 < failures.size())
        {
            until = std::min(until, failures[f + 1].spec.atNs);
        }
        // Samples are stamped with the end of their interval: the first one after the fault
        // is the first that saw it.
        auto first
            = std::upper_bound(samples.begin(),
                               samples.end(),
                               at,
                               [](std::int64_t t, const FabricSample& s) { return t < s.timeNs; });
        std::size_t after = static_cast<std::size_t>(first - samples.begin());
        std::size_t from = after > kBefore ? after - kBefore : 0;
        double sum = 0;
        for (std::size_t k = from; k < after; ++k)
        {
            sum += samples[k].deliveredGbps;
        }
        record.throughputBeforeGbps = after > from ? sum / static_cast<double>(after - from) : 0;
        record.throughputLowestGbps = record.throughputBeforeGbps;
        record.throughputDipNs = -1;
        record.throughputRecoveredNs = -1;
        // The dip starts at the first interval under half of before and ends at the first one
        // back over it, looked for while the collectives the fault struck still run (but not in
        // their last intervals, where throughput falls as they finish).
        double threshold = kDip * record.throughputBeforeGbps;
        if (samples.size() > 1)
        {
            until -= kTailIntervals * (samples[1].timeNs - samples[0].timeNs);
        }
        for (std::size_t k = after; k < samples.size() && samples[k].timeNs <= until; ++k)
        {
            double delivered = samples[k].deliveredGbps;
            if (record.throughputDipNs < 0)
            {
                if (delivered < threshold)
                {
                    record.throughputDipNs = samples[k].timeNs;
                    record.throughputLowestGbps = delivered;
                }
                continue;
            }
            if (delivered >= threshold)
            {
                record.throughputRecoveredNs = samples[k].timeNs;
                break;
            }
            record.throughputLowestGbps = std::min(record.throughputLowestGbps, delivered);
        }
    }
}

} // namespace ns3::fabric
