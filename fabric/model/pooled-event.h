#ifndef FABRICSCOPE_FABRIC_POOLED_EVENT_H
#define FABRICSCOPE_FABRIC_POOLED_EVENT_H

#include "fabric/model/block-pool.h"

#include <ns3/assert.h>
#include <ns3/event-impl.h>
#include <ns3/ptr.h>
#include <ns3/simulator.h>
#include <tuple>
#include <type_traits>
#include <utility>

namespace ns3::fabric
{

/**
 * A member-function call as an ns-3 event, allocated from a pool of its own type's blocks.
 * ns-3 allocates every event with operator new and frees it once it has run; a fabric run
 * schedules two or three events per frame and per hop (an arrival, a transmission's end, a
 * retransmit timer), and the general allocator was 7 % of a 1,024-GPU ring. ns-3 deletes events
 * through EventImpl's virtual destructor, which finds this class's operator delete.
 */
template <typename Object, typename... Args>
class PooledEvent final : public EventImpl
{
public:
    using Method = void (Object::*)(Args...);

    template <typename... Ts>
    PooledEvent(Method method, Object* object, Ts&&... args)
    : m_method(method)
    , m_object(object)
    , m_args(std::forward<Ts>(args)...)
    {
    }

    static void* operator new(std::size_t bytes)
    {
        NS_ASSERT(bytes == sizeof(PooledEvent));
        (void) bytes;
        return Pool().Allocate();
    }
    static void operator delete(void* block) { Pool().Release(block); }

    /** Events of this type allocated now. */
    static std::size_t InUse() { return Pool().InUse(); }

private:
    static BlockPool& Pool()
    {
        // Never destroyed: ns-3 may delete its last events while statics are torn down.
        static BlockPool* pool = new BlockPool(sizeof(PooledEvent));
        return *pool;
    }

    void Notify() override
    {
        std::apply([this](auto&... args) { (m_object->*m_method)(args...); }, m_args);
    }

    Method m_method;
    Object* m_object;
    std::tuple<std::decay_t<Args>...> m_args;
};

/** Simulator::Schedule for a member function, with the event from a pool. */
template <typename Object, typename... Args, typename... Ts>
EventId
SchedulePooled(const Time& delay, void (Object::*method)(Args...), Object* object, Ts&&... args)
{
    // The Ptr adopts the event's first reference; the simulator takes its own.
    return Simulator::Schedule(
        delay,
        Ptr<EventImpl>(new PooledEvent<Object, Args...>(method, object, std::forward<Ts>(args)...),
                       false));
}

/** Simulator::ScheduleWithContext for a member function, with the event from a pool. */
template <typename Object, typename... Args, typename... Ts>
void
SchedulePooledWithContext(std::uint32_t context,
                          const Time& delay,
                          void (Object::*method)(Args...),
                          Object* object,
                          Ts&&... args)
{
    // The simulator takes the event's first reference.
    Simulator::ScheduleWithContext(
        context,
        delay,
        new PooledEvent<Object, Args...>(method, object, std::forward<Ts>(args)...));
}

} // namespace ns3::fabric

#endif
