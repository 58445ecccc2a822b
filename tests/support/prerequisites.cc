#include "support/prerequisites.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace fab::tests
{

namespace
{

/** A program test cases run, with the Debian package that has it. */
struct Program
{
    const char* need;
    std::vector<const char*> executables;
    const char* package;
};

const std::vector<Program>&
Programs()
{
    static const std::vector<Program> programs = {
        {"tshark", {"tshark"}, "tshark"},
        {"editcap", {"editcap", "mergecap"}, "wireshark-common"},
        {"python3", {"python3"}, "python3"},
        {"promtool", {"promtool"}, "prometheus"},
        {"prometheus", {"prometheus"}, "prometheus"},
        {"pmacct", {"pmacctd", "sfacctd"}, "pmacct"},
        {"chromium", {"chromium"}, "chromium"},
        {"slurm",
         {"slurmctld", "slurmd", "sbatch", "scontrol", "squeue", "munged"},
         "slurm-wlm and munge"},
    };
    return programs;
}

std::string
FirstLineOf(const std::string& command)
{
    std::string out;
    if (FILE* pipe = ::popen(command.c_str(), "r"))
    {
        std::array<char, 512> buffer{};
        if (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr)
        {
            out = buffer.data();
        }
        ::pclose(pipe);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    {
        out.pop_back();
    }
    return out;
}

std::string
MissingLibFuzzer()
{
    for (const char* compiler : {"clang++-14", "clang++"})
    {
        auto path = ProgramPath(compiler);
        if (path.empty())
        {
            continue;
        }
        auto resources = FirstLineOf("'" + path.string() + "' -print-resource-dir 2>/dev/null");
        auto runtime = std::filesystem::path(resources) / "lib/linux/libclang_rt.fuzzer-x86_64.a";
        if (!resources.empty() && std::filesystem::exists(runtime))
        {
            return "";
        }
        return path.string() + " has no libFuzzer runtime (" + runtime.string()
               + "; Debian package libclang-rt-14-dev)";
    }
    return "clang++ is not installed (Debian packages clang and libclang-rt-14-dev)";
}

std::string
MissingIpv6Loopback()
{
    int socket = ::socket(AF_INET6, SOCK_DGRAM, 0);
    if (socket < 0)
    {
        return "this host has no IPv6 sockets";
    }
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_loopback;
    bool bound = ::bind(socket, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(socket);
    return bound ? "" : "this host has no IPv6 loopback address (::1)";
}

/** The files of the external captures the tests read. */
const std::vector<const char*> kExternalFiles = {"roce-softroce-send.pcap",
                                                 "ib-erf-rc-send.pcap",
                                                 "negative-ssh-tls-dns.pcap",
                                                 "negative-ssh.pcap",
                                                 "cnp-connectx4lx.hex"};

std::string
MissingExternalCaptures()
{
    auto dir = ExternalCapturesDir();
    if (dir.empty())
    {
        return "the external captures are not part of the repository; configure with "
               "-DFABRICSCOPE_EXTERNAL_CAPTURES=DIR (or set that environment variable) to run "
               "these cases";
    }
    for (const char* file : kExternalFiles)
    {
        if (!std::filesystem::exists(dir / file))
        {
            return "FABRICSCOPE_EXTERNAL_CAPTURES is " + dir.string() + ", which has no " + file;
        }
    }
    return "";
}

} // namespace

const std::vector<Prerequisite>&
KnownPrerequisites()
{
    static const std::vector<Prerequisite> known = {
        {"external", "the external captures (FABRICSCOPE_EXTERNAL_CAPTURES)"},
        {"tshark", "tshark"},
        {"editcap", "editcap and mergecap"},
        {"python3", "python3"},
        {"promtool", "promtool"},
        {"prometheus", "a Prometheus server"},
        {"pmacct", "pmacctd and sfacctd"},
        {"chromium", "headless Chromium"},
        {"libfuzzer", "clang with libFuzzer"},
        {"ipv6", "an IPv6 loopback address"},
        {"slurm", "a single-node Slurm started by the test (slurmctld, slurmd, munged)"},
    };
    return known;
}

std::string
MissingPrerequisite(const std::string& name)
{
    // The build lists the names too (it builds the ctest entries from them): both must agree.
    std::string listed = std::string(",") + FABRICSCOPE_TEST_NEEDS + ",";
    if (listed.find("," + name + ",") == std::string::npos)
    {
        throw std::invalid_argument("prerequisite '" + name
                                    + "' is not in FABRICSCOPE_TEST_NEEDS (tests/CMakeLists.txt)");
    }
    if (name == "external")
    {
        return MissingExternalCaptures();
    }
    if (name == "libfuzzer")
    {
        return MissingLibFuzzer();
    }
    if (name == "ipv6")
    {
        return MissingIpv6Loopback();
    }
    for (const auto& program : Programs())
    {
        if (name != program.need)
        {
            continue;
        }
        for (const char* executable : program.executables)
        {
            if (ProgramPath(executable).empty())
            {
                return std::string(executable) + " is not installed (Debian package "
                       + program.package + "; tools/setup.sh installs it)";
            }
        }
        return "";
    }
    throw std::invalid_argument("unknown prerequisite '" + name + "' (tests/support/prerequisites.cc"
                                " lists the known ones)");
}

bool
RunningOnCi()
{
    const char* ci = std::getenv("CI");
    return ci != nullptr && std::string(ci) == "true";
}

std::filesystem::path
ExternalCapturesDir()
{
    const char* fromEnvironment = std::getenv("FABRICSCOPE_EXTERNAL_CAPTURES");
    if (fromEnvironment != nullptr && *fromEnvironment != '\0')
    {
        return fromEnvironment;
    }
    return FABRICSCOPE_EXTERNAL_CAPTURES;
}

std::string
ExternalCapture(const std::string& file)
{
    auto missing = MissingExternalCaptures();
    if (!missing.empty())
    {
        throw std::logic_error("a case that reads " + file + " lacks the [needs:external] tag: "
                               + missing);
    }
    return (ExternalCapturesDir() / file).string();
}

std::filesystem::path
ProgramPath(const std::string& name)
{
    const char* path = std::getenv("PATH");
    std::string folders = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
    folders += ":/usr/sbin:/sbin";
    std::size_t start = 0;
    while (start <= folders.size())
    {
        auto end = folders.find(':', start);
        if (end == std::string::npos)
        {
            end = folders.size();
        }
        std::filesystem::path candidate
            = std::filesystem::path(folders.substr(start, end - start)) / name;
        if (!candidate.parent_path().empty() && ::access(candidate.c_str(), X_OK) == 0)
        {
            return candidate;
        }
        start = end + 1;
    }
    return {};
}

std::string
IcrcOracleCommand()
{
    return std::string("python3 '") + FABRICSCOPE_SOURCE_DIR + "/tests/tools/roce-icrc-oracle.py' ";
}

} // namespace fab::tests
