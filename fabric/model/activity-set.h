#ifndef FABRICSCOPE_FABRIC_ACTIVITY_SET_H
#define FABRICSCOPE_FABRIC_ACTIVITY_SET_H

#include <cstdint>
#include <vector>

namespace ns3::fabric
{

/**
 * Which of n things (a fabric's ports) did something since they were last looked at: one bit
 * each, visited in increasing order. A sampler that reads every port of a 61,440-port fabric
 * each interval spends its time on ports that did nothing; marking a bit where a counter moves
 * costs a store, and the sweep reads eight bytes for 64 idle ports.
 */
class ActivitySet
{
public:
    explicit ActivitySet(std::size_t size = 0)
    : m_words((size + 63) / 64, 0)
    {
    }

    void Insert(std::uint32_t i) { m_words[i >> 6] |= std::uint64_t{1} << (i & 63); }
    bool Contains(std::uint32_t i) const { return (m_words[i >> 6] >> (i & 63) & 1) != 0; }
    void InsertAll(std::uint32_t size)
    {
        for (std::uint32_t i = 0; i < size; ++i)
        {
            Insert(i);
        }
    }

    /** Calls `visit(i)` for each member i in increasing order; i stays a member only if it
     *  returns true. */
    template <typename Visit>
    void Sweep(Visit visit)
    {
        for (std::size_t w = 0; w < m_words.size(); ++w)
        {
            std::uint64_t members = m_words[w];
            std::uint64_t leaving = 0;
            while (members != 0)
            {
                unsigned bit = static_cast<unsigned>(__builtin_ctzll(members));
                members &= members - 1;
                if (!visit(static_cast<std::uint32_t>(w * 64 + bit)))
                {
                    leaving |= std::uint64_t{1} << bit;
                }
            }
            m_words[w] &= ~leaving;
        }
    }

private:
    std::vector<std::uint64_t> m_words;
};

} // namespace ns3::fabric

#endif
