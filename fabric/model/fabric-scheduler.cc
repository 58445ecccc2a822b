#include "fabric/model/fabric-scheduler.h"

#include <ns3/assert.h>
#include <ns3/simulator.h>

namespace ns3::fabric
{

NS_OBJECT_ENSURE_REGISTERED(FabricScheduler);

TypeId
FabricScheduler::GetTypeId()
{
    static TypeId tid = TypeId("ns3::fabric::FabricScheduler")
                            .SetParent<Scheduler>()
                            .SetGroupName("Fabric")
                            .AddConstructor<FabricScheduler>();
    return tid;
}

void
FabricScheduler::Insert(const Scheduler::Event& ev)
{
    m_queue.Push(ev);
}

bool
FabricScheduler::IsEmpty() const
{
    return m_queue.Empty();
}

Scheduler::Event
FabricScheduler::PeekNext() const
{
    return m_queue.Top();
}

Scheduler::Event
FabricScheduler::RemoveNext()
{
    return m_queue.Pop();
}

void
FabricScheduler::Remove(const Scheduler::Event& ev)
{
    bool removed = m_queue.Remove(ev);
    NS_ASSERT_MSG(removed, "removing an event that is not pending");
    (void) removed;
}

void
UseFabricScheduler()
{
    ObjectFactory factory;
    factory.SetTypeId(FabricScheduler::GetTypeId());
    Simulator::SetScheduler(factory);
}

} // namespace ns3::fabric
