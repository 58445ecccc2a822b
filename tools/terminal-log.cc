#include "tools/terminal-log.h"

#include "telemetry/model/text-format.h"

#include <memory>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace fab::tools
{

namespace
{

/** "%*": the message, escaped for a terminal. */
class EscapedMessage : public spdlog::custom_flag_formatter
{
public:
    void format(const spdlog::details::log_msg& message,
                const std::tm& /* time */,
                spdlog::memory_buf_t& out) override
    {
        std::string text = telemetry::EscapeForTerminal(
            std::string_view(message.payload.data(), message.payload.size()));
        out.append(text.data(), text.data() + text.size());
    }

    std::unique_ptr<spdlog::custom_flag_formatter> clone() const override
    {
        return std::make_unique<EscapedMessage>();
    }
};

} // namespace

void
UseTerminalLog()
{
    spdlog::set_default_logger(spdlog::stderr_color_mt("fabricscope"));
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<EscapedMessage>('*').set_pattern("%^%l%$ %*");
    spdlog::set_formatter(std::move(formatter));
}

} // namespace fab::tools
