using System.Text.Json;
using ActorFarm.Protocol;

namespace ActorFarm.Node.Output;

/// <summary>
/// <c>farm status --json</c>: one JSON object for scripts and tests. Written field by field rather than by
/// reflection over the protocol records, so the output's shape is a decision here, not a side effect of a
/// protocol change.
/// </summary>
internal static class StatusJson
{
    public static void Write(FarmStatus status, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();

        json.WriteStartArray("members");
        foreach (var member in status.Members)
        {
            json.WriteStartObject();
            json.WriteString("address", member.Address);
            json.WriteStartArray("roles");
            foreach (var role in member.Roles)
                json.WriteStringValue(role);
            json.WriteEndArray();
            json.WriteString("status", member.Status);
            json.WriteBoolean("reachable", member.Reachable);
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteStartArray("workers");
        foreach (var worker in status.Workers)
        {
            json.WriteStartObject();
            json.WriteString("worker", worker.Worker);
            json.WriteString("node", worker.Node);
            json.WriteNumber("tasksInFlight", worker.TasksInFlight);
            json.WriteNumber("tasksCompleted", worker.TasksCompleted);
            json.WriteStartArray("running");
            foreach (var load in worker.Running)
            {
                json.WriteStartObject();
                json.WriteString("jobId", load.JobId);
                json.WriteNumber("tasksInFlight", load.TasksInFlight);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteStartArray("jobs");
        // Running jobs, then the last few that ended; "state" tells them apart.
        foreach (var job in status.Jobs.Concat(status.EndedJobs))
        {
            json.WriteStartObject();
            json.WriteString("jobId", job.JobId);
            json.WriteString("function", job.FunctionName);
            json.WriteString("state", StatusView.StateName(job.State));
            json.WriteNumber("queued", job.Queued);
            json.WriteNumber("inFlight", job.InFlight);
            json.WriteNumber("done", job.Done);
            json.WriteNumber("failed", job.Failed);
            json.WriteNumber("requeued", job.Requeued);
            json.WriteBoolean("inputComplete", job.InputComplete);
            json.WriteString("waitingFor", job.WaitingFor);
            json.WriteString("owner", job.Owner);
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteNumber("tasksCompleted", status.TasksCompleted);
        json.WriteNumber("duplicateResultsDropped", status.DuplicateResultsDropped);
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }
}
