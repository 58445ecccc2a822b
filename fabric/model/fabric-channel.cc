#include "fabric/model/fabric-channel.h"

#include "fabric/model/fabric-net-device.h"
#include "fabric/model/pooled-event.h"

#include <ns3/node.h>
#include <ns3/simulator.h>

namespace ns3::fabric
{

NS_OBJECT_ENSURE_REGISTERED(FabricChannel);

TypeId
FabricChannel::GetTypeId()
{
    static TypeId tid = TypeId("ns3::fabric::FabricChannel")
                            .SetParent<Channel>()
                            .SetGroupName("Fabric")
                            .AddConstructor<FabricChannel>()
                            .AddAttribute("Delay",
                                          "Propagation delay of the cable",
                                          TimeValue(NanoSeconds(1000)),
                                          MakeTimeAccessor(&FabricChannel::m_delay),
                                          MakeTimeChecker());
    return tid;
}

void
FabricChannel::Attach(Ptr<FabricNetDevice> device)
{
    NS_ASSERT_MSG(m_attached < 2, "a FabricChannel joins exactly two devices");
    m_devices[m_attached++] = device;
}

Ptr<FabricNetDevice>
FabricChannel::GetPeer(const FabricNetDevice* device) const
{
    return PeekPointer(m_devices[0]) == device ? m_devices[1] : m_devices[0];
}

void
FabricChannel::Transmit(const FabricNetDevice* sender, Frame* frame, Time txTime) const
{
    Ptr<FabricNetDevice> peer = GetPeer(sender);
    SchedulePooledWithContext(peer->GetNode()->GetId(),
                              txTime + m_delay,
                              &FabricNetDevice::Receive,
                              PeekPointer(peer),
                              frame);
}

std::size_t
FabricChannel::GetNDevices() const
{
    return m_attached;
}

Ptr<NetDevice>
FabricChannel::GetDevice(std::size_t i) const
{
    return m_devices[i];
}

void
FabricChannel::DoDispose()
{
    m_devices[0] = nullptr;
    m_devices[1] = nullptr;
    Channel::DoDispose();
}

} // namespace ns3::fabric
