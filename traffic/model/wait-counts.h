#ifndef FABRICSCOPE_TRAFFIC_WAIT_COUNTS_H
#define FABRICSCOPE_TRAFFIC_WAIT_COUNTS_H

#include <cstdint>
#include <vector>

namespace fab::traffic
{

/**
 * How many dependencies each waiting task still waits for, in one flat table (open addressing,
 * linear probing, deletion by shifting back): a generator adds and drops an entry per task, and
 * a node-based map would allocate and chase a pointer for each.
 */
class WaitCounts
{
public:
    /** The count of `id`, or nullptr; valid until the next Insert or Erase. */
    std::uint32_t* Find(std::uint64_t id);
    /** Adds `id`, which is not in the table, with `count`. */
    void Insert(std::uint64_t id, std::uint32_t count);
    /** Removes `id`, which is in the table. */
    void Erase(std::uint64_t id);
    std::size_t Size() const { return m_size; }

private:
    struct Slot
    {
        std::uint64_t id;
        std::uint32_t count;
    };

    std::size_t Home(std::uint64_t id) const;
    void Grow();

    std::vector<Slot> m_slots; ///< a power of two of them, at most half full
    std::size_t m_size{0};
};

} // namespace fab::traffic

#endif
