#ifndef FABRICSCOPE_DPI_APPLICATION_CLASSIFIER_H
#define FABRICSCOPE_DPI_APPLICATION_CLASSIFIER_H

#include "dpi/packet-decoder.h"

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>

namespace fab::dpi
{

/** A conversation of IP traffic that is not RDMA, both directions in one, by 5-tuple. */
struct ApplicationFlow
{
    IpAddress lowAddress{};
    IpAddress highAddress{};
    std::uint16_t lowPort{0};
    std::uint16_t highPort{0};
    std::uint8_t protocol{0};
    std::uint64_t packets{0};
    std::uint64_t bytes{0};
    std::int64_t firstNs{0};
    std::int64_t lastNs{0};
    std::string application; ///< nDPI's name ("SSH", "TLS.Google", "DNS", "Unknown")
    bool guessed{false};     ///< nDPI gave up and guessed from ports
};

/**
 * Names the applications of the non-RDMA traffic with nDPI (Debian's libndpi) rather than port
 * guesses of our own: the first packets of each conversation go to nDPI until it decides (at
 * most kPacketsToDecide), then its state is freed and the flow is only counted.
 */
class ApplicationClassifier
{
public:
    static constexpr std::uint32_t kPacketsToDecide = 24;

    ApplicationClassifier();
    ~ApplicationClassifier();
    ApplicationClassifier(ApplicationClassifier&&) noexcept;
    ApplicationClassifier& operator=(ApplicationClassifier&&) noexcept;

    /** Adds a decoded IPv4/IPv6 packet; `frame` holds the bytes it was decoded from. */
    void Add(const DecodedPacket& packet, const std::uint8_t* frame, std::int64_t timeNs);
    /** Lets nDPI guess the flows it has not decided. */
    void Finish();

    const std::deque<ApplicationFlow>& Flows() const;
    /** Packets per application name. */
    std::map<std::string, std::uint64_t> PacketsByApplication() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace fab::dpi

#endif
