// A real single-node Slurm (Debian's slurm-wlm and munge) for tests: munged, slurmctld and
// slurmd started as children of the test in the foreground, with a private munge key and
// socket, state, spool, logs and ports in a temporary folder, and stopped by their PIDs. See
// research/local-peers-slurm-prometheus-pmacct.md, section 1. Clients find this cluster through
// SLURM_CONF, which the cluster sets for the test process (and so for what it starts) while it
// runs.
#ifndef FABRICSCOPE_TESTS_SUPPORT_SLURM_H
#define FABRICSCOPE_TESTS_SUPPORT_SLURM_H

#include "support/child-process.h"
#include "support/local-sockets.h"
#include "support/prerequisites.h"
#include "support/run-command.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

namespace fab::tests
{

class LocalSlurm
{
public:
    /**
     * Starts the cluster in `dir` (cases that call it are tagged [needs:slurm]); its job arrays
     * hold at most `maxArraySize` tasks.
     */
    explicit LocalSlurm(const std::filesystem::path& dir, unsigned maxArraySize = 1001)
    : m_dir(dir)
    , m_maxArraySize(maxArraySize)
    {
        for (const char* program : {"munged", "slurmctld", "slurmd"})
        {
            if (ProgramPath(program).empty())
            {
                throw std::logic_error(std::string(program)
                                       + " is not installed: the case lacks [needs:slurm]");
            }
        }
        namespace fs = std::filesystem;
        for (const char* sub : {"munge", "state", "spool", "log"})
        {
            fs::create_directories(dir / sub);
        }
        // munged refuses a socket folder others cannot enter, and a key others can read.
        fs::permissions(dir / "munge",
                        fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
        {
            std::random_device random;
            std::ofstream key(dir / "munge" / "munge.key", std::ios::binary);
            for (int i = 0; i < 1024; ++i)
            {
                key.put(static_cast<char>(random() & 0xff));
            }
        }
        fs::permissions(dir / "munge" / "munge.key", fs::perms::owner_read);
        WriteConfig();
        m_previousConf = std::getenv("SLURM_CONF") ? std::getenv("SLURM_CONF") : "";
        ::setenv("SLURM_CONF", Conf().c_str(), 1);

        auto munge = dir / "munge";
        m_munged = std::make_unique<ChildProcess>(
            std::vector<std::string>{ProgramPath("munged").string(),
                                     "--foreground",
                                     "--force",
                                     "--socket=" + (munge / "munge.socket").string(),
                                     "--key-file=" + (munge / "munge.key").string(),
                                     "--log-file=" + (munge / "munged.log").string(),
                                     "--pid-file=" + (munge / "munged.pid").string(),
                                     "--seed-file=" + (munge / "munged.seed").string()},
            dir / "log" / "munged.out");
        WaitFor([&] { return fs::exists(munge / "munge.socket"); }, "munged's socket");
        m_slurmctld = std::make_unique<ChildProcess>(
            std::vector<std::string>{ProgramPath("slurmctld").string(), "-D", "-i", "-f", Conf()},
            dir / "log" / "slurmctld.out");
        m_slurmd = std::make_unique<ChildProcess>(
            std::vector<std::string>{ProgramPath("slurmd").string(), "-D", "-f", Conf()},
            dir / "log" / "slurmd.out");
        WaitFor([&] { return RunIn(dir, "sinfo -h -o %T").out.rfind("idle", 0) == 0; },
                "the node to be idle");
    }

    ~LocalSlurm()
    {
        // Jobs first, while the controller can still cancel them.
        if (m_slurmctld && m_slurmctld->Running())
        {
            RunIn(m_dir, "scancel --full --quiet --user=$(id -un) >/dev/null 2>&1");
        }
        m_slurmd.reset();
        m_slurmctld.reset();
        m_munged.reset();
        if (m_previousConf.empty())
        {
            ::unsetenv("SLURM_CONF");
        }
        else
        {
            ::setenv("SLURM_CONF", m_previousConf.c_str(), 1);
        }
    }

    LocalSlurm(const LocalSlurm&) = delete;
    LocalSlurm& operator=(const LocalSlurm&) = delete;

    std::string Conf() const { return (m_dir / "slurm.conf").string(); }
    std::filesystem::path ControllerLog() const { return m_dir / "log" / "slurmctld.log"; }

    /** The daemons' own logs, for a failed case's message. */
    std::string Logs() const
    {
        std::string text;
        for (const char* file : {"munge/munged.log",
                                 "log/slurmctld.log",
                                 "log/slurmd.log",
                                 "log/slurmctld.out",
                                 "log/slurmd.out"})
        {
            auto content = ReadFile(m_dir / file);
            if (content.size() > 3000)
            {
                content = content.substr(content.size() - 3000);
            }
            text += std::string("== ") + file + "\n" + content + "\n";
        }
        return text;
    }

private:
    void WriteConfig() const
    {
        // The node as slurmd sees itself: its short host name, CPUs and memory.
        auto node = RunIn(m_dir, "slurmd -C | head -1").out;
        while (!node.empty() && (node.back() == '\n' || node.back() == '\r'))
        {
            node.pop_back();
        }
        if (node.rfind("NodeName=", 0) != 0)
        {
            throw std::runtime_error("slurmd -C printed no node line: " + node);
        }
        std::string host = node.substr(9, node.find(' ') - 9);
        std::string d = m_dir.string();
        std::ofstream conf(m_dir / "slurm.conf");
        conf << "ClusterName=fabricscope-test\n"
             << "SlurmctldHost=" << host << "\n"
             << "SlurmUser=root\nSlurmdUser=root\n"
             << "AuthType=auth/munge\nCredType=cred/munge\n"
             << "AuthInfo=socket=" << d << "/munge/munge.socket\n"
             << "SlurmctldPort=" << FreeTcpPort() << "\n"
             << "SlurmdPort=" << FreeTcpPort() << "\n"
             << "StateSaveLocation=" << d << "/state\n"
             << "SlurmdSpoolDir=" << d << "/spool/%n\n"
             << "SlurmctldPidFile=" << d << "/slurmctld.pid\n"
             << "SlurmdPidFile=" << d << "/slurmd.pid\n"
             << "SlurmctldLogFile=" << d << "/log/slurmctld.log\n"
             << "SlurmdLogFile=" << d << "/log/slurmd.log\n"
             << "SlurmctldDebug=info\nSlurmdDebug=info\n"
             << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
             << "JobAcctGatherType=jobacct_gather/none\n"
             << "AccountingStorageType=accounting_storage/none\nJobCompType=jobcomp/none\n"
             << "SchedulerType=sched/builtin\n"
             << "SchedulerParameters=sched_interval=1,sched_min_interval=0,batch_sched_delay=0\n"
             << "SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\n"
             << "ReturnToService=2\nMpiDefault=none\nSwitchType=switch/none\n"
             << "MaxArraySize=" << m_maxArraySize << "\n"
             << node << " State=UNKNOWN\n"
             << "PartitionName=debug Nodes=" << host << " Default=YES MaxTime=INFINITE State=UP\n";
    }

    template <typename Ready>
    void WaitFor(Ready ready, const std::string& what)
    {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (std::chrono::steady_clock::now() < deadline)
        {
            if (ready())
            {
                return;
            }
            for (auto* daemon : {m_munged.get(), m_slurmctld.get(), m_slurmd.get()})
            {
                if (daemon != nullptr && !daemon->Running())
                {
                    throw std::runtime_error("a Slurm daemon exited while waiting for " + what
                                             + "\n" + Logs());
                }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        throw std::runtime_error("gave up waiting for " + what + "\n" + Logs());
    }

    std::filesystem::path m_dir;
    unsigned m_maxArraySize;
    std::string m_previousConf;
    std::unique_ptr<ChildProcess> m_munged;
    std::unique_ptr<ChildProcess> m_slurmctld;
    std::unique_ptr<ChildProcess> m_slurmd;
};

} // namespace fab::tests

#endif
