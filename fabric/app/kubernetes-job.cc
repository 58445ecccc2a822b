#include "fabric/app/kubernetes-job.h"

#include "fabric/app/slurm-executor.h"

#include <nlohmann/json.hpp>

namespace ns3::fabric::app
{

std::string
KubernetesIndexedJob(const SweepWork& work,
                     const std::string& taskList,
                     const std::string& image,
                     std::uint32_t parallelism)
{
    // YAML is a superset of JSON: every string below is written as a JSON string, so that no
    // path or name can change the manifest's structure.
    auto quoted = [](const std::string& text)
    {
        return nlohmann::json(text).dump();
    };
    std::string command = "[";
    auto words = work.worker;
    words.front() = "fabricscope"; // the image's program, not this machine's path
    for (const auto& word : words)
    {
        command += quoted(word) + ", ";
    }
    command += quoted("--task-list") + ", " + quoted(taskList) + ", " + quoted("--task-index-env")
               + ", " + quoted("JOB_COMPLETION_INDEX") + "]";
    std::string memory = std::to_string(SlurmMemoryMiB(work.memoryPerTaskBytes)) + "Mi";
    auto count = std::to_string(work.tasks.size());
    std::string yaml;
    yaml += "apiVersion: batch/v1\n";
    yaml += "kind: Job\n";
    yaml += "metadata:\n";
    yaml += "  name: fabricscope-sweep\n";
    yaml += "spec:\n";
    yaml += "  completionMode: Indexed\n";
    yaml += "  completions: " + count + "\n";
    yaml += "  parallelism: " + std::to_string(std::max<std::uint32_t>(1, parallelism)) + "\n";
    yaml += "  backoffLimit: " + count + "\n";
    yaml += "  template:\n";
    yaml += "    spec:\n";
    yaml += "      restartPolicy: Never\n";
    yaml += "      containers:\n";
    yaml += "        - name: run\n";
    yaml += "          image: " + quoted(image) + "\n";
    yaml += "          command: " + command + "\n";
    yaml += "          resources:\n";
    yaml += "            requests: {cpu: \"1\", memory: " + quoted(memory) + "}\n";
    yaml += "            limits: {memory: " + quoted(memory) + "}\n";
    yaml += "          volumeMounts:\n";
    yaml += "            - name: sweep\n";
    yaml += "              mountPath: " + quoted(work.outDirectory) + "\n";
    yaml += "      volumes:\n";
    yaml += "        - name: sweep\n";
    yaml += "          persistentVolumeClaim: {claimName: fabricscope-sweep}\n";
    return yaml;
}

} // namespace ns3::fabric::app
