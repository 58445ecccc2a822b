#ifndef FABRICSCOPE_FABRIC_FABRIC_CHANNEL_H
#define FABRICSCOPE_FABRIC_FABRIC_CHANNEL_H

#include "fabric/model/frame.h"

#include <ns3/channel.h>
#include <ns3/nstime.h>
#include <ns3/ptr.h>

namespace ns3::fabric
{

class FabricNetDevice;

/**
 * A full-duplex point-to-point cable between two FabricNetDevices. A frame handed over at the
 * start of its transmission arrives whole at the peer after its transmission time plus the
 * propagation delay (store-and-forward).
 */
class FabricChannel : public Channel
{
public:
    static TypeId GetTypeId();

    void Attach(Ptr<FabricNetDevice> device);
    /** Carries `frame` from `sender` to the other end. */
    void Transmit(const FabricNetDevice* sender, Frame* frame, Time txTime) const;
    Ptr<FabricNetDevice> GetPeer(const FabricNetDevice* device) const;

    std::size_t GetNDevices() const override;
    Ptr<NetDevice> GetDevice(std::size_t i) const override;
    Time GetDelay() const { return m_delay; }
    void SetDelay(Time delay) { m_delay = delay; }

protected:
    void DoDispose() override;

private:
    Ptr<FabricNetDevice> m_devices[2];
    std::size_t m_attached{0};
    Time m_delay;
};

} // namespace ns3::fabric

#endif
