#include "dpi/prefetch-reader.h"

#include <cstring>

namespace fab::dpi
{
namespace
{

constexpr std::size_t kBatches = 4;
constexpr std::size_t kBatchBytes = 4u << 20; // several hundred packets of any size
constexpr std::size_t kBatchPackets = 4096;

} // namespace

PrefetchReader::PrefetchReader(CaptureReader& reader)
: m_reader(reader)
{
    for (std::size_t i = 0; i < kBatches; ++i)
    {
        auto batch = std::make_unique<Batch>();
        batch->bytes.resize(kBatchBytes);
        batch->packets.reserve(kBatchPackets);
        m_free.push_back(batch.get());
        m_batches.push_back(std::move(batch));
    }
    m_thread = std::thread([this] { Produce(); });
}

PrefetchReader::~PrefetchReader()
{
    Finish();
}

void
PrefetchReader::Finish()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
    }
    m_changed.notify_all();
    if (m_thread.joinable())
    {
        m_thread.join();
    }
}

void
PrefetchReader::Produce()
{
    try
    {
        ProduceBatches();
    }
    catch (...)
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_failure = std::current_exception();
            m_done = true;
        }
        m_changed.notify_all();
    }
}

void
PrefetchReader::ProduceBatches()
{
    CapturedPacket packet;
    bool more = true;
    while (more)
    {
        Batch* batch = nullptr;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_changed.wait(lock, [this] { return m_stopping || !m_free.empty(); });
            if (m_stopping)
            {
                return;
            }
            batch = m_free.front();
            m_free.pop_front();
        }
        batch->packets.clear();
        batch->used = 0;
        while (batch->packets.size() < kBatchPackets)
        {
            more = m_reader.Next(packet);
            if (!more)
            {
                break;
            }
            if (batch->used + packet.capturedLength > batch->bytes.size())
            {
                // A record bigger than what is left: it opens the next batch, or, larger than
                // a whole batch (no snap length allows that), grows this one.
                if (batch->packets.empty())
                {
                    batch->bytes.resize(packet.capturedLength);
                }
                else
                {
                    {
                        std::lock_guard<std::mutex> lock(m_mutex);
                        m_full.push_back(batch);
                    }
                    m_changed.notify_all();
                    std::unique_lock<std::mutex> lock(m_mutex);
                    m_changed.wait(lock, [this] { return m_stopping || !m_free.empty(); });
                    if (m_stopping)
                    {
                        return;
                    }
                    batch = m_free.front();
                    m_free.pop_front();
                    batch->packets.clear();
                    batch->used = 0;
                }
            }
            std::uint8_t* copy = batch->bytes.data() + batch->used;
            std::memcpy(copy, packet.data, packet.capturedLength);
            batch->used += packet.capturedLength;
            packet.data = copy;
            batch->packets.push_back(packet);
        }
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (!batch->packets.empty())
            {
                m_full.push_back(batch);
            }
            else
            {
                m_free.push_back(batch);
            }
            m_done = !more;
        }
        m_changed.notify_all();
    }
}

bool
PrefetchReader::Next(CapturedPacket& packet)
{
    if (m_current != nullptr && m_next < m_current->packets.size())
    {
        packet = m_current->packets[m_next++];
        return true;
    }
    std::unique_lock<std::mutex> lock(m_mutex);
    if (m_current != nullptr)
    {
        m_free.push_back(m_current);
        m_current = nullptr;
        m_changed.notify_all();
    }
    m_changed.wait(lock, [this] { return !m_full.empty() || m_done; });
    if (m_full.empty())
    {
        std::exception_ptr failure = m_failure;
        lock.unlock();
        Finish();
        if (failure)
        {
            std::rethrow_exception(failure);
        }
        return false;
    }
    m_current = m_full.front();
    m_full.pop_front();
    m_next = 0;
    packet = m_current->packets[m_next++];
    return true;
}

} // namespace fab::dpi
