#ifndef FABRICSCOPE_FABRIC_FABRIC_SCHEDULER_H
#define FABRICSCOPE_FABRIC_FABRIC_SCHEDULER_H

#include "fabric/model/event-queue.h"

#include <ns3/scheduler.h>

namespace ns3::fabric
{

/**
 * ns-3's event scheduler on an EventQueue: the same (time, uid) order as every ns-3 scheduler,
 * so a run gives the same results event for event. It is chosen for what fabric runs keep
 * pending: a cancelled retransmit timer per acknowledgement for a whole timeout, millions of
 * them in large collectives, which a tree (ns-3's default MapScheduler) pays for on every
 * insertion and a single heap on every removal.
 */
class FabricScheduler : public Scheduler
{
public:
    static TypeId GetTypeId();

    void Insert(const Scheduler::Event& ev) override;
    bool IsEmpty() const override;
    Scheduler::Event PeekNext() const override;
    Scheduler::Event RemoveNext() override;
    void Remove(const Scheduler::Event& ev) override;

private:
    EventQueue<Scheduler::Event> m_queue;
};

/** Makes the simulator use a FabricScheduler (events already scheduled move over). */
void UseFabricScheduler();

} // namespace ns3::fabric

#endif
