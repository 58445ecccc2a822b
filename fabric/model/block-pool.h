#ifndef FABRICSCOPE_FABRIC_BLOCK_POOL_H
#define FABRICSCOPE_FABRIC_BLOCK_POOL_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace ns3::fabric
{

/**
 * Blocks of one size, carved from slabs and handed back last-in first-out: the block a
 * simulation event frees is the next one its successor gets, still in cache, where a general
 * allocator pays for size classes, bins and consolidation on every event. Slabs stay until the
 * pool is destroyed; its footprint is the most blocks ever held at once.
 */
class BlockPool
{
public:
    explicit BlockPool(std::size_t blockBytes)
    : m_blockBytes((std::max(blockBytes, sizeof(FreeBlock)) + kAlign - 1) / kAlign * kAlign)
    {
    }
    BlockPool(const BlockPool&) = delete;
    BlockPool& operator=(const BlockPool&) = delete;

    void* Allocate()
    {
        if (m_free == nullptr)
        {
            AddSlab();
        }
        FreeBlock* block = m_free;
        m_free = block->next;
        ++m_inUse;
        return block;
    }

    /** Takes back a block this pool handed out. */
    void Release(void* block)
    {
        auto* freed = static_cast<FreeBlock*>(block);
        freed->next = m_free;
        m_free = freed;
        --m_inUse;
    }

    std::size_t BlockBytes() const { return m_blockBytes; }
    std::size_t InUse() const { return m_inUse; }
    std::size_t Capacity() const { return m_slabs.size() * kBlocksPerSlab; }

private:
    struct FreeBlock
    {
        FreeBlock* next;
    };

    static constexpr std::size_t kAlign = alignof(std::max_align_t);
    static constexpr std::size_t kBlocksPerSlab = 1024;

    void AddSlab()
    {
        // new[] of max_align_t keeps every block aligned for any object.
        std::size_t units = m_blockBytes * kBlocksPerSlab / sizeof(std::max_align_t);
        m_slabs.push_back(std::make_unique<std::max_align_t[]>(units));
        auto* bytes = reinterpret_cast<unsigned char*>(m_slabs.back().get());
        // Threaded so that the slab's first block is handed out first.
        for (std::size_t i = kBlocksPerSlab; i-- > 0;)
        {
            auto* block = reinterpret_cast<FreeBlock*>(bytes + i * m_blockBytes);
            block->next = m_free;
            m_free = block;
        }
    }

    std::size_t m_blockBytes;
    FreeBlock* m_free{nullptr};
    std::size_t m_inUse{0};
    std::vector<std::unique_ptr<std::max_align_t[]>> m_slabs;
};

} // namespace ns3::fabric

#endif
