using System.Runtime.Serialization;
using ActorFarm.Master.Journal.V1;
using ActorFarm.Protocol;
using Akka.Actor;
using Akka.Serialization;

namespace ActorFarm.Serialization;

/// <summary>
/// The binary serializer of the farm protocol: every <see cref="IFarmMessage"/> that crosses nodes
/// (bound by <see cref="FarmSerialization.Config"/>).
/// <para>
/// Identifier <see cref="SerializerIdentifier"/> = 4711 (Akka reserves 0–100; the number is part of the
/// wire format: never change it). Each message type has a short, fixed manifest (<see cref="Manifests"/>);
/// the set is closed: an unknown manifest is refused, and no type name read from the wire is ever turned
/// into a type, except item types through the allow-list of <see cref="FarmTypeRegistry"/>. A new
/// protocol message needs a manifest and a layout here (a test checks that every message has one).
/// </para>
/// <para>Payload: a format version byte (<see cref="FormatVersion"/>), then the message's fields in
/// declaration order, with nested records written inline:</para>
/// <list type="bullet">
/// <item>int and long: zig-zag LEB128 varints; counts: plain varints; bool: one byte 0/1;</item>
/// <item>string: varint (UTF-8 byte count + 1), 0 meaning null; function names and item type names
/// are interned per message (0 + string the first time, index + 1 after), so a batch of 1000 tasks of
/// one function names it once;</item>
/// <item>nullable long / TimeSpan / record: a presence byte, then the value;</item>
/// <item>lists: varint count, then the elements;</item>
/// <item>actor refs: their serialized path (<see cref="Akka.Serialization.Serialization.SerializedActorPath"/>)
/// as a string, resolved by the actor ref provider on the way in; empty for no actor;</item>
/// <item>arrays of items: <see cref="ArrayCodec"/> (raw little-endian blocks for primitives, JSON for
/// allow-listed other types); chunks and tasks carry only their slice, read back with Start = 0.</item>
/// </list>
/// A payload must be consumed exactly; truncated, trailing or malformed bytes raise a
/// <see cref="SerializationException"/> naming the message.
/// </summary>
internal sealed class FarmMessageSerializer : SerializerWithStringManifest
{
    /// <summary>This serializer's Akka identifier (also in <see cref="FarmSerialization.Hocon"/>).</summary>
    public const int SerializerIdentifier = 4711;

    /// <summary>The first byte of every payload; a reader refuses versions it does not know.</summary>
    public const byte FormatVersion = 1;

    public const string SubmitJobManifest = "SJ";
    public const string SubmitChunksManifest = "SC";
    public const string CancelJobManifest = "CJ";
    public const string ChunkResultsManifest = "CR";
    public const string JobFailedManifest = "JF";
    public const string RegisterWorkerManifest = "RW";
    public const string WorkerRegisteredManifest = "WR";
    public const string RunTasksManifest = "RT";
    public const string TasksDoneManifest = "TD";
    public const string GetFarmStatusManifest = "GS";
    public const string FarmStatusManifest = "FS";
    public const string ReRegisterManifest = "RR";
    public const string MessageFragmentManifest = "MF";
    public const string ChunksDoneManifest = "ED";
    public const string JobEndedManifest = "EE";
    public const string MasterSnapshotManifest = "MS";
    public const string JobRecoveredManifest = "JR";
    public const string PingJobManifest = "JP";
    public const string JobPongManifest = "JQ";
    public const string AttachJobManifest = "AJ";
    public const string WorkerLeavingManifest = "WL";
    public const string JobWaitingManifest = "JW";
    public const string DeployPackageManifest = "DP";
    public const string FetchPackageManifest = "FP";
    public const string PackageUnavailableManifest = "PN";
    public const string AuthenticatedManifest = "AU";
    public const string FragmentAckManifest = "MA";

    /// <summary>
    /// A traced <see cref="SubmitJob"/>: its layout adds the trace context at the end. An untraced one keeps "SJ" and
    /// its bytes, which the V1 journal also holds (its submissions were events).
    /// </summary>
    public const string TracedSubmitJobManifest = "SK";

    /// <summary>
    /// A <see cref="RunTasks"/> with a task whose result goes straight to its client (<see cref="FarmTask.Straight"/>):
    /// each task's layout adds where. A batch without one keeps "RT" and its bytes.
    /// </summary>
    public const string StraightRunTasksManifest = "RS";

    public const string WorkerResultsManifest = "CW";
    public const string ChunksReceivedManifest = "CK";
    public const string ChunksHeldManifest = "CH";
    public const string FetchInputsManifest = "FI";
    public const string InputsFetchedManifest = "IF";

    /// <summary>The closed set of manifests, by message type.</summary>
    public static IReadOnlyDictionary<Type, string> Manifests { get; } = new Dictionary<Type, string>
    {
        [typeof(SubmitJob)] = SubmitJobManifest,
        [typeof(SubmitChunks)] = SubmitChunksManifest,
        [typeof(CancelJob)] = CancelJobManifest,
        [typeof(ChunkResults)] = ChunkResultsManifest,
        [typeof(JobFailed)] = JobFailedManifest,
        [typeof(RegisterWorker)] = RegisterWorkerManifest,
        [typeof(WorkerRegistered)] = WorkerRegisteredManifest,
        [typeof(RunTasks)] = RunTasksManifest,
        [typeof(TasksDone)] = TasksDoneManifest,
        [typeof(GetFarmStatus)] = GetFarmStatusManifest,
        [typeof(FarmStatus)] = FarmStatusManifest,
        [typeof(ReRegister)] = ReRegisterManifest,
        [typeof(MessageFragment)] = MessageFragmentManifest,
        [typeof(FragmentAck)] = FragmentAckManifest,
        [typeof(V1ChunksDone)] = ChunksDoneManifest,
        [typeof(V1JobEnded)] = JobEndedManifest,
        [typeof(V1MasterSnapshot)] = MasterSnapshotManifest,
        [typeof(JobRecovered)] = JobRecoveredManifest,
        [typeof(PingJob)] = PingJobManifest,
        [typeof(JobPong)] = JobPongManifest,
        [typeof(AttachJob)] = AttachJobManifest,
        [typeof(WorkerLeaving)] = WorkerLeavingManifest,
        [typeof(JobWaiting)] = JobWaitingManifest,
        [typeof(DeployPackage)] = DeployPackageManifest,
        [typeof(FetchPackage)] = FetchPackageManifest,
        [typeof(PackageUnavailable)] = PackageUnavailableManifest,
        [typeof(Authenticated)] = AuthenticatedManifest,
        [typeof(WorkerResults)] = WorkerResultsManifest,
        [typeof(ChunksReceived)] = ChunksReceivedManifest,
        [typeof(ChunksHeld)] = ChunksHeldManifest,
        [typeof(FetchInputs)] = FetchInputsManifest,
        [typeof(InputsFetched)] = InputsFetchedManifest,
    };

    /// <summary>
    /// Bytes made by <see cref="ToBinaryForSending"/> for a message that fits a frame, kept until the transport
    /// serializes that same message object (then taken), so a checked message is serialized only once. Weak
    /// keys: a message delivered locally after all is simply collected with its bytes.
    /// </summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, byte[]> _measured = new();

    private FarmTypeRegistry? _types;

    public FarmMessageSerializer(ExtendedActorSystem system) : base(system)
    {
    }

    public override int Identifier => SerializerIdentifier;

    /// <summary>Resolved on first use: serializers are built while the actor system is still starting.</summary>
    private FarmTypeRegistry Types => _types ??= FarmTypeRegistry.Get(system);

    /// <summary>Every manifest written or read: one per type, and <see cref="TracedSubmitJobManifest"/>.</summary>
    public static IReadOnlyList<string> AllManifests { get; } = [.. Manifests.Values, TracedSubmitJobManifest, StraightRunTasksManifest];

    public override string Manifest(object o) =>
        o is SubmitJob { TraceParent: not null } ? TracedSubmitJobManifest
        : o is RunTasks run && HasStraightTask(run) ? StraightRunTasksManifest
        : o is not null && Manifests.TryGetValue(o.GetType(), out var manifest) ? manifest : throw Unsupported(o);

    // ---- writing ----------------------------------------------------------------------------------------

    /// <summary>
    /// Serializes a message about to be sent to another node, to learn its size: null when it fits in
    /// <paramref name="frameBytes"/> (the bytes are kept for the transport's own call of <see cref="ToBinary"/>),
    /// else the bytes, to be sent in fragments.
    /// </summary>
    internal byte[]? ToBinaryForSending(object message, int frameBytes)
    {
        var bytes = Serialize(message);
        if (bytes.Length > frameBytes)
            return bytes;
        _measured.AddOrUpdate(message, bytes);
        return null;
    }

    public override byte[] ToBinary(object obj)
    {
        if (_measured.TryGetValue(obj, out var measured))
            _measured.Remove(obj);
        else
            measured = Serialize(obj);
        Telemetry.FarmMetrics.BytesSent.Add(measured.Length);
        return measured;
    }

    private byte[] Serialize(object obj)
    {
        var manifest = Manifest(obj);
        using var writer = new WireWriter();
        writer.WriteByte(FormatVersion);
        try
        {
            WriteBody(writer, obj);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new SerializationException($"cannot serialize farm message {obj.GetType().Name} ('{manifest}'): {e.Message}", e);
        }
        return writer.ToArray();
    }

    /// <summary>A message's fields, after the version byte (or inline in an <see cref="Authenticated"/> envelope).</summary>
    private void WriteBody(WireWriter writer, object obj)
    {
        switch (obj)
        {
            case SubmitJob m: Write(writer, m, withTrace: m.TraceParent is not null); break;
            case SubmitChunks m: Write(writer, m); break;
            case CancelJob m: writer.WriteString(m.JobId); break;
            case ChunkResults m: Write(writer, m); break;
            case WorkerResults m: writer.WriteString(m.JobId); WriteResults(writer, m.Results); break;
            case ChunksReceived m: writer.WriteString(m.JobId); WireLayouts.WriteIndexes(writer, m.ChunkIndexes); break;
            case ChunksHeld m: Write(writer, m); break;
            case FetchInputs m: Write(writer, m); break;
            case InputsFetched m: Write(writer, m); break;
            case JobFailed m: Write(writer, m); break;
            case RegisterWorker m: Write(writer, m); break;
            case RunTasks m: Write(writer, m, straight: HasStraightTask(m)); break;
            case TasksDone m: Write(writer, m); break;
            case FarmStatus m: Write(writer, m); break;
            case MessageFragment m: Write(writer, m); break;
            case FragmentAck m:
                writer.WriteString(m.TransferId);
                writer.WriteInt32(m.Index);
                break;
            case V1ChunksDone m: writer.WriteString(m.JobId); WireLayouts.WriteIndexes(writer, m.ChunkIndexes); break;
            case V1JobEnded m: writer.WriteString(m.JobId); break;
            case V1MasterSnapshot m: Write(writer, m); break;
            case JobRecovered m: writer.WriteString(m.JobId); WireLayouts.WriteIndexes(writer, m.PendingChunkIndexes); break;
            case PingJob m: writer.WriteString(m.JobId); WriteActorRef(writer, m.ReplyTo); break;
            case JobPong m: writer.WriteString(m.JobId); writer.WriteBool(m.Known); break;
            case AttachJob m: writer.WriteString(m.JobId); WriteActorRef(writer, m.ReplyTo); break;
            case WorkerLeaving m: WriteActorRef(writer, m.Worker); break;
            case JobWaiting m: writer.WriteString(m.JobId); writer.WriteString(m.WaitingFor); break;
            case DeployPackage m: Write(writer, m); break;
            case FetchPackage m: writer.WriteString(m.PackageId); WriteActorRef(writer, m.ReplyTo); break;
            case PackageUnavailable m: writer.WriteString(m.PackageId); writer.WriteString(m.Reason); break;
            case Authenticated m: Write(writer, m); break;
            case WorkerRegistered or GetFarmStatus or ReRegister: break; // no fields
        }
    }

    /// <summary>A submission; <paramref name="withTrace"/> writes its trace context ("SK"; never inside the legacy V1 snapshot).</summary>
    private static void Write(WireWriter w, SubmitJob m, bool withTrace)
    {
        w.WriteString(m.JobId);
        w.WriteInterned(m.FunctionName);
        WriteActorRef(w, m.ReplyTo);
        WireLayouts.WriteChunks(w, m.Chunks);
        w.WriteBool(m.InputComplete);
        WireLayouts.WriteOptions(w, m.Options);
        w.WriteBool(m.Resume);
        if (withTrace)
            w.WriteStrictString(m.TraceParent);
    }

    /// <summary>The credential, then the request as a message of its own (manifest and payload): one envelope for every kind of request.</summary>
    private void Write(WireWriter w, Authenticated m)
    {
        var credential = m.Credential;
        w.WriteCount(credential.Certificate.Length);
        w.WriteRaw(credential.Certificate);
        w.WriteInt64(credential.IssuedAt);
        w.WriteCount(credential.Signature.Length);
        w.WriteRaw(credential.Signature);
        // The request inline, to the end of the payload: no copy of a chunk's bytes into a buffer of its own.
        w.WriteString(Manifest(m.Message));
        WriteBody(w, m.Message);
    }

    private Authenticated ReadAuthenticated(ref WireReader r)
    {
        var certificate = r.ReadRaw("credential certificate", r.ReadCount("credential certificate length")).ToArray();
        var issuedAt = r.ReadInt64("credential time");
        var signature = r.ReadRaw("credential signature", r.ReadCount("credential signature length")).ToArray();
        var manifest = r.ReadString("request manifest");
        if (manifest is AuthenticatedManifest or MessageFragmentManifest)
            throw r.Malformed($"an authenticated request cannot hold a '{manifest}'");
        if (!AllManifests.Contains(manifest, StringComparer.Ordinal))
            throw r.Malformed($"an authenticated request of unknown manifest '{manifest}'");
        // Checked before reading, so an envelope never nests another (no recursion on crafted bytes).
        return new Authenticated(new ClientCredential(certificate, issuedAt, signature),
            ReadBody(ref r, manifest) as IClientRequest ?? throw r.Malformed($"an authenticated request cannot hold a '{manifest}'"));
    }

    private static void Write(WireWriter w, DeployPackage m)
    {
        w.WriteString(m.PackageId);
        w.WriteCount(m.Files.Count);
        foreach (var file in m.Files)
        {
            w.WriteString(file.Name);
            w.WriteCount(file.Bytes.Length);
            w.WriteBlock(file.Bytes, 0, file.Bytes.Length);
        }
    }

    private static DeployPackage ReadDeployPackage(ref WireReader r)
    {
        var id = r.ReadString("package id");
        var files = new PackageFile[r.ReadCount("package files", 2)];
        for (var i = 0; i < files.Length; i++)
        {
            var name = r.ReadString("package file name");
            var length = r.ReadCount("package file bytes");
            files[i] = new PackageFile(name, r.ReadRaw("package file bytes", length).ToArray());
        }
        return new DeployPackage(id, files);
    }

    private static void Write(WireWriter w, V1MasterSnapshot m)
    {
        if (m.Jobs.Count != m.DoneChunkIndexes.Count)
            throw new SerializationException($"a master snapshot of {m.Jobs.Count} jobs has done-chunk lists for {m.DoneChunkIndexes.Count}");
        w.WriteCount(m.Jobs.Count);
        for (var i = 0; i < m.Jobs.Count; i++)
        {
            Write(w, m.Jobs[i], withTrace: false);
            WireLayouts.WriteIndexes(w, m.DoneChunkIndexes[i]);
        }
    }

    private static void Write(WireWriter w, SubmitChunks m)
    {
        w.WriteString(m.JobId);
        WireLayouts.WriteChunks(w, m.Chunks);
        w.WriteBool(m.InputComplete);
    }

    private static void Write(WireWriter w, ChunkResults m)
    {
        w.WriteString(m.JobId);
        WriteResults(w, m.Results);
        w.WriteBool(m.JobCompleted);
    }

    private static void WriteResults(WireWriter w, IReadOnlyList<ChunkResult> results)
    {
        w.WriteCount(results.Count);
        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i];
            w.WriteInt32(result.Index);
            w.WriteInt64(result.Offset);
            ArrayCodec.Write(w, result.Output, 0, result.Output.Length);
        }
    }

    private static void Write(WireWriter w, JobFailed m)
    {
        w.WriteString(m.JobId);
        var e = m.Error;
        w.WriteInt32((int)e.Kind);
        w.WriteString(e.Message);
        w.WriteString(e.FunctionName);
        w.WriteNullableInt64(e.ItemIndex);
        w.WriteString(e.ExceptionType);
        w.WriteString(e.ExceptionMessage);
        w.WriteString(e.StackTrace);
    }

    private static void Write(WireWriter w, RegisterWorker m)
    {
        WriteActorRef(w, m.Worker);
        w.WriteCount(m.Functions.Count);
        for (var i = 0; i < m.Functions.Count; i++)
            w.WriteString(m.Functions[i]);
        w.WriteInt32(m.Prefetch);
        w.WriteString(m.Incarnation);
        w.WriteString(m.HostId);
        w.WriteInt64(m.FrameBytes);
    }

    /// <summary>Whether a batch has a task whose result goes straight to its client or whose items its client holds ("RS").</summary>
    private static bool HasStraightTask(RunTasks m)
    {
        for (var i = 0; i < m.Tasks.Count; i++)
        {
            if (m.Tasks[i].Straight is not null || m.Tasks[i].Held is not null)
                return true;
        }
        return false;
    }

    private static void Write(WireWriter w, ChunksHeld m)
    {
        w.WriteString(m.JobId);
        WriteActorRef(w, m.Holder);
        w.WriteCount(m.Chunks.Count);
        foreach (var chunk in m.Chunks)
        {
            w.WriteInt32(chunk.Index);
            w.WriteInt64(chunk.Offset);
            w.WriteInt32(chunk.Count);
        }
        w.WriteBool(m.InputComplete);
    }

    private ChunksHeld ReadChunksHeld(ref WireReader r)
    {
        var jobId = r.ReadString("job id");
        var holder = ReadActorRef(ref r, "holder");
        var chunks = new HeldChunk[r.ReadCount("held chunk count", 3)];
        for (var i = 0; i < chunks.Length; i++)
            chunks[i] = new HeldChunk(r.ReadInt32("held chunk index"), r.ReadInt64("held chunk offset"), r.ReadInt32("held chunk count"));
        return new ChunksHeld(jobId, holder, chunks, r.ReadBool("input complete"));
    }

    /// <summary>The inputs asked for, without their holder: it is the message's recipient.</summary>
    private static void Write(WireWriter w, FetchInputs m)
    {
        w.WriteInt64(m.FetchId);
        w.WriteCount(m.Inputs.Count);
        foreach (var input in m.Inputs)
        {
            w.WriteInterned(input.JobId);
            w.WriteInt32(input.ChunkIndex);
            w.WriteInt32(input.Start);
            w.WriteInt32(input.Count);
        }
        WriteActorRef(w, m.ReplyTo);
    }

    private FetchInputs ReadFetchInputs(ref WireReader r)
    {
        var fetchId = r.ReadInt64("fetch id");
        var inputs = new HeldInput[r.ReadCount("input count", 4)];
        for (var i = 0; i < inputs.Length; i++)
            inputs[i] = new HeldInput(ActorRefs.Nobody, r.ReadInterned("job id"), r.ReadInt32("chunk index"), r.ReadInt32("start"), r.ReadInt32("count"));
        return new FetchInputs(fetchId, inputs, ReadActorRef(ref r, "reply-to"));
    }

    private static void Write(WireWriter w, InputsFetched m)
    {
        w.WriteInt64(m.FetchId);
        w.WriteCount(m.Items.Count);
        foreach (var slice in m.Items)
        {
            if (slice is { } items)
                ArrayCodec.Write(w, items.Items, items.Start, items.Count);
            else
                ArrayCodec.Write(w, null, 0, 0);
        }
    }

    private InputsFetched ReadInputsFetched(ref WireReader r)
    {
        var fetchId = r.ReadInt64("fetch id");
        var slices = new Client.InputSlice?[r.ReadCount("input count", 1)];
        for (var i = 0; i < slices.Length; i++)
            slices[i] = ArrayCodec.Read(ref r, Types, "fetched items") is { } items ? Client.InputSlice.Of(items) : null;
        return new InputsFetched(fetchId, slices);
    }

    /// <summary>A batch; with <paramref name="straight"/> ("RS") each task says where its result goes straight to, or a 0 byte.</summary>
    private static void Write(WireWriter w, RunTasks m, bool straight)
    {
        IActorRef? lastClient = null;
        string? lastPath = null;

        // Making an actor's serialized path builds a string: once per batch, not once per task.
        string PathOf(IActorRef client)
        {
            if (!ReferenceEquals(client, lastClient))
            {
                lastClient = client;
                lastPath = Akka.Serialization.Serialization.SerializedActorPath(client);
            }
            return lastPath!;
        }

        w.WriteInt64(m.BatchId);
        w.WriteCount(m.Tasks.Count);
        for (var i = 0; i < m.Tasks.Count; i++)
        {
            var task = m.Tasks[i];
            w.WriteInt64(task.TaskId);
            w.WriteInterned(task.FunctionName);
            ArrayCodec.Write(w, task.Items, task.Start, task.Count);
            // A batch's tasks mostly share a job, so its trace context is written once (interned), or a 0 byte.
            w.WriteBool(task.TraceParent is not null);
            if (task.TraceParent is not null)
                w.WriteInterned(task.TraceParent);
            if (!straight)
                continue;
            w.WriteBool(task.Straight is not null);
            if (task.Straight is { } to)
            {
                // A batch's tasks mostly share a job: its client and id are interned, the client's path made once.
                w.WriteInterned(PathOf(to.Client));
                w.WriteInterned(to.JobId);
                w.WriteInt32(to.ChunkIndex);
                w.WriteInt64(to.ChunkOffset);
            }
            w.WriteBool(task.Held is not null);
            if (task.Held is { } held)
            {
                w.WriteInterned(PathOf(held.Holder));
                w.WriteInterned(held.JobId);
                w.WriteInt32(held.ChunkIndex);
                w.WriteInt32(held.Start);
                w.WriteInt32(held.Count);
            }
        }
    }

    private static void Write(WireWriter w, TasksDone m)
    {
        WriteActorRef(w, m.Worker);
        w.WriteInt64(m.BatchId);
        w.WriteCount(m.Outcomes.Count);
        for (var i = 0; i < m.Outcomes.Count; i++)
        {
            var outcome = m.Outcomes[i];
            w.WriteInt64(outcome.TaskId);
            ArrayCodec.Write(w, outcome.Output, 0, outcome.Output?.Length ?? 0);
            w.WriteBool(outcome.Error is not null);
            if (outcome.Error is { } error)
            {
                w.WriteInt32(error.IndexInChunk);
                w.WriteString(error.ExceptionType);
                w.WriteString(error.Message);
                w.WriteString(error.StackTrace);
            }
            w.WriteInt64(outcome.ElapsedNanoseconds);
        }
    }

    private static void Write(WireWriter w, FarmStatus m)
    {
        w.WriteCount(m.Workers.Count);
        foreach (var worker in m.Workers)
        {
            w.WriteString(worker.Worker);
            w.WriteInt32(worker.TasksInFlight);
            w.WriteInt64(worker.TasksCompleted);
            w.WriteString(worker.Node);
            w.WriteCount(worker.Running.Count);
            foreach (var load in worker.Running)
            {
                w.WriteString(load.JobId);
                w.WriteInt32(load.TasksInFlight);
            }
        }
        WriteJobs(w, m.Jobs);
        w.WriteInt64(m.TasksCompleted);
        w.WriteInt64(m.DuplicateResultsDropped);
        w.WriteCount(m.Members.Count);
        foreach (var member in m.Members)
        {
            w.WriteString(member.Address);
            w.WriteCount(member.Roles.Count);
            foreach (var role in member.Roles)
                w.WriteString(role);
            w.WriteString(member.Status);
            w.WriteBool(member.Reachable);
        }
        WriteJobs(w, m.EndedJobs);
    }

    private static void WriteJobs(WireWriter w, IReadOnlyList<JobStatus> jobs)
    {
        w.WriteCount(jobs.Count);
        foreach (var job in jobs)
        {
            w.WriteString(job.JobId);
            w.WriteInterned(job.FunctionName);
            w.WriteInt32(job.Queued);
            w.WriteInt32(job.InFlight);
            w.WriteInt64(job.Done);
            w.WriteBool(job.InputComplete);
            w.WriteInt32((int)job.State);
            w.WriteInt64(job.Failed);
            w.WriteInt64(job.Requeued);
            w.WriteString(job.WaitingFor);
            w.WriteString(job.Owner);
        }
    }

    private static void Write(WireWriter w, MessageFragment m)
    {
        w.WriteString(m.TransferId);
        w.WriteInt32(m.Index);
        w.WriteInt32(m.Count);
        w.WriteString(m.Manifest);
        w.WriteInt64(m.TotalBytes);
        w.WriteInt64(m.Offset);
        w.WriteCount(m.Data.Length);
        w.WriteRaw(m.Data.Span);
    }

    private static void WriteActorRef(WireWriter w, IActorRef? actor) =>
        w.WriteString(actor is null ? "" : Akka.Serialization.Serialization.SerializedActorPath(actor));

    // ---- reading ----------------------------------------------------------------------------------------

    public override object FromBinary(byte[] bytes, string manifest)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Telemetry.FarmMetrics.BytesReceived.Add(bytes.Length);
        return Deserialize(bytes, manifest);
    }

    private object Deserialize(byte[] bytes, string manifest)
    {
        if (manifest is null || !AllManifests.Contains(manifest, StringComparer.Ordinal))
            throw new SerializationException(
                $"FarmMessageSerializer does not know manifest '{manifest}' (known: {string.Join(", ", AllManifests)}); " +
                "is the sender running a newer version of the farm?");

        var reader = new WireReader(bytes);
        try
        {
            var version = reader.ReadByte("format version");
            if (version != FormatVersion)
                throw reader.Malformed($"format version {version}, but this node reads version {FormatVersion}");

            // A fragment's data stays in the array it came in (the transport's own copy): no copy of each 4 MiB piece.
            var message = manifest == MessageFragmentManifest ? ReadMessageFragment(ref reader, bytes) : ReadBody(ref reader, manifest);
            reader.ExpectEnd();
            return message;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new SerializationException(
                $"cannot deserialize farm message '{manifest}' ({ManifestName(manifest)}, {bytes.Length} bytes): {e.Message}", e);
        }
    }

    /// <summary>A message's fields, after the version byte (or inline in an <see cref="Authenticated"/> envelope).</summary>
    private object ReadBody(ref WireReader reader, string manifest) =>
        manifest switch
        {
            SubmitJobManifest => ReadSubmitJob(ref reader, withTrace: false),
            TracedSubmitJobManifest => ReadSubmitJob(ref reader, withTrace: true),
            SubmitChunksManifest => new SubmitChunks(reader.ReadString("job id"), WireLayouts.ReadChunks(ref reader, Types), reader.ReadBool("input complete")),
            CancelJobManifest => new CancelJob(reader.ReadString("job id")),
            ChunkResultsManifest => ReadChunkResults(ref reader),
            JobFailedManifest => ReadJobFailed(ref reader),
            RegisterWorkerManifest => ReadRegisterWorker(ref reader),
            WorkerRegisteredManifest => WorkerRegistered.Instance,
            RunTasksManifest => ReadRunTasks(ref reader, straight: false),
            StraightRunTasksManifest => ReadRunTasks(ref reader, straight: true),
            WorkerResultsManifest => new WorkerResults(reader.ReadString("job id"), ReadResults(ref reader)),
            ChunksReceivedManifest => new ChunksReceived(reader.ReadString("job id"), WireLayouts.ReadIndexes(ref reader, "chunk indexes")),
            ChunksHeldManifest => ReadChunksHeld(ref reader),
            FetchInputsManifest => ReadFetchInputs(ref reader),
            InputsFetchedManifest => ReadInputsFetched(ref reader),
            TasksDoneManifest => ReadTasksDone(ref reader),
            GetFarmStatusManifest => GetFarmStatus.Instance,
            FarmStatusManifest => ReadFarmStatus(ref reader),
            ReRegisterManifest => ReRegister.Instance,
            FragmentAckManifest => new FragmentAck(reader.ReadString("transfer id"), reader.ReadInt32("fragment index")),
            ChunksDoneManifest => new V1ChunksDone(reader.ReadString("job id"), WireLayouts.ReadIndexes(ref reader, "chunk indexes")),
            JobEndedManifest => new V1JobEnded(reader.ReadString("job id")),
            MasterSnapshotManifest => ReadV1MasterSnapshot(ref reader),
            JobRecoveredManifest => new JobRecovered(reader.ReadString("job id"), WireLayouts.ReadIndexes(ref reader, "pending chunk indexes")),
            PingJobManifest => new PingJob(reader.ReadString("job id"), ReadActorRef(ref reader, "reply-to")),
            JobPongManifest => new JobPong(reader.ReadString("job id"), reader.ReadBool("known")),
            AttachJobManifest => new AttachJob(reader.ReadString("job id"), ReadActorRef(ref reader, "reply-to")),
            WorkerLeavingManifest => new WorkerLeaving(ReadActorRef(ref reader, "worker")),
            JobWaitingManifest => new JobWaiting(reader.ReadString("job id"), reader.ReadNullableString("waiting for")),
            DeployPackageManifest => ReadDeployPackage(ref reader),
            FetchPackageManifest => new FetchPackage(reader.ReadString("package id"), ReadActorRef(ref reader, "reply-to")),
            PackageUnavailableManifest => new PackageUnavailable(reader.ReadString("package id"), reader.ReadString("reason")),
            AuthenticatedManifest => ReadAuthenticated(ref reader),
            _ => throw new InvalidOperationException("unreachable: the manifest was checked"),
        };

    /// <summary>A submission; with <paramref name="withTrace"/> (manifest "SK") its trace context follows.</summary>
    private SubmitJob ReadSubmitJob(ref WireReader r, bool withTrace)
    {
        var jobId = r.ReadString("job id");
        var function = r.ReadInterned("function name");
        var replyTo = ReadActorRef(ref r, "reply-to");
        var chunks = WireLayouts.ReadChunks(ref r, Types);
        var inputComplete = r.ReadBool("input complete");
        var options = WireLayouts.ReadOptions(ref r);
        var resume = r.ReadBool("resume");
        return new SubmitJob(jobId, function, replyTo, chunks, inputComplete, options, resume, withTrace ? r.ReadString("trace parent") : null);
    }

    private ChunkResults ReadChunkResults(ref WireReader r)
    {
        var jobId = r.ReadString("job id");
        var results = ReadResults(ref r);
        return new ChunkResults(jobId, results, r.ReadBool("job completed"));
    }

    private ChunkResult[] ReadResults(ref WireReader r)
    {
        var results = new ChunkResult[r.ReadCount("result count", 3)];
        for (var i = 0; i < results.Length; i++)
        {
            var index = r.ReadInt32("result index");
            var offset = r.ReadInt64("result offset");
            var output = ArrayCodec.Read(ref r, Types, "result output") ?? throw r.Malformed("result output: null");
            results[i] = new ChunkResult(index, offset, output);
        }
        return results;
    }

    private static JobFailed ReadJobFailed(ref WireReader r)
    {
        var jobId = r.ReadString("job id");
        var kind = (FarmErrorKind)r.ReadInt32("error kind");
        var message = r.ReadString("error message");
        var function = r.ReadNullableString("error function");
        var item = r.ReadNullableInt64("error item");
        var exceptionType = r.ReadNullableString("exception type");
        var exceptionMessage = r.ReadNullableString("exception message");
        var stackTrace = r.ReadNullableString("stack trace");
        return new JobFailed(jobId, new FarmError(kind, message, function, item, exceptionType, exceptionMessage, stackTrace));
    }

    private RegisterWorker ReadRegisterWorker(ref WireReader r)
    {
        var worker = ReadActorRef(ref r, "worker");
        var functions = new string[r.ReadCount("function count")];
        for (var i = 0; i < functions.Length; i++)
            functions[i] = r.ReadString("function name");
        var prefetch = r.ReadInt32("prefetch");
        var incarnation = r.ReadString("incarnation");
        var hostId = r.ReadNullableString("host id");
        return new RegisterWorker(worker, functions, prefetch, incarnation, hostId, r.ReadInt64("frame bytes"));
    }

    private RunTasks ReadRunTasks(ref WireReader r, bool straight)
    {
        string? clientPath = null;
        IActorRef? client = null;

        // The tasks of a batch mostly share a client: its path is resolved once.
        IActorRef Client(ref WireReader r, string field)
        {
            var path = r.ReadInterned(field);
            if (!ReferenceEquals(path, clientPath))
            {
                clientPath = path;
                client = system.Provider.ResolveActorRef(path);
            }
            return client!;
        }

        var batchId = r.ReadInt64("batch id");
        var tasks = new FarmTask[r.ReadCount("task count", 3)];
        for (var i = 0; i < tasks.Length; i++)
        {
            var taskId = r.ReadInt64("task id");
            var function = r.ReadInterned("function name");
            var items = ArrayCodec.Read(ref r, Types, "task items") ?? throw r.Malformed("task items: null");
            var traceParent = r.ReadBool("traced") ? r.ReadInterned("trace parent") : null;
            StraightResult? to = null;
            HeldInput? held = null;
            if (straight && r.ReadBool("straight"))
            {
                to = new StraightResult(Client(ref r, "straight client"), r.ReadInterned("straight job id"),
                    r.ReadInt32("straight chunk index"), r.ReadInt64("straight chunk offset"));
            }
            if (straight && r.ReadBool("held"))
            {
                held = new HeldInput(Client(ref r, "input holder"), r.ReadInterned("held job id"), r.ReadInt32("held chunk index"),
                    r.ReadInt32("held start"), r.ReadInt32("held count"));
            }
            tasks[i] = new FarmTask(taskId, function, items, 0, items.Length, traceParent, to, held);
        }
        return new RunTasks(batchId, tasks);
    }

    private TasksDone ReadTasksDone(ref WireReader r)
    {
        var worker = ReadActorRef(ref r, "worker");
        var batchId = r.ReadInt64("batch id");
        var outcomes = new TaskOutcome[r.ReadCount("outcome count", 4)];
        for (var i = 0; i < outcomes.Length; i++)
        {
            var taskId = r.ReadInt64("task id");
            var output = ArrayCodec.Read(ref r, Types, "task output");
            TaskError? error = null;
            if (r.ReadBool("error present"))
            {
                error = new TaskError(r.ReadInt32("error index"), r.ReadString("exception type"),
                    r.ReadString("error message"), r.ReadNullableString("stack trace"));
            }
            outcomes[i] = new TaskOutcome(taskId, output, error, r.ReadInt64("elapsed"));
        }
        return new TasksDone(worker, batchId, outcomes);
    }

    private static FarmStatus ReadFarmStatus(ref WireReader r)
    {
        var workers = new WorkerStatus[r.ReadCount("worker count", 5)];
        for (var i = 0; i < workers.Length; i++)
        {
            var worker = r.ReadString("worker");
            var inFlight = r.ReadInt32("tasks in flight");
            var completed = r.ReadInt64("tasks completed");
            var node = r.ReadString("worker node");
            var running = new WorkerJobLoad[r.ReadCount("worker job count", 2)];
            for (var j = 0; j < running.Length; j++)
                running[j] = new WorkerJobLoad(r.ReadString("job id"), r.ReadInt32("job tasks in flight"));
            workers[i] = new WorkerStatus(worker, inFlight, completed) { Node = node, Running = running };
        }
        var jobs = ReadJobs(ref r);
        var tasksCompleted = r.ReadInt64("tasks completed");
        var dropped = r.ReadInt64("duplicates dropped");
        var members = new ClusterMemberStatus[r.ReadCount("member count", 4)];
        for (var i = 0; i < members.Length; i++)
        {
            var address = r.ReadString("member address");
            var roles = new string[r.ReadCount("role count")];
            for (var j = 0; j < roles.Length; j++)
                roles[j] = r.ReadString("role");
            members[i] = new ClusterMemberStatus(address, roles, r.ReadString("member status"), r.ReadBool("member reachable"));
        }
        return new FarmStatus(workers, jobs, tasksCompleted, dropped) { Members = members, EndedJobs = ReadJobs(ref r) };
    }

    private static JobStatus[] ReadJobs(ref WireReader r)
    {
        var jobs = new JobStatus[r.ReadCount("job count", 10)];
        for (var i = 0; i < jobs.Length; i++)
        {
            var job = new JobStatus(r.ReadString("job id"), r.ReadInterned("function name"), r.ReadInt32("queued"),
                r.ReadInt32("in flight"), r.ReadInt64("done"), r.ReadBool("input complete"));
            var state = r.ReadInt32("job state");
            if (!Enum.IsDefined((JobRunState)state))
                throw r.Malformed($"job state {state}");
            jobs[i] = job with
            {
                State = (JobRunState)state,
                Failed = r.ReadInt64("failed"),
                Requeued = r.ReadInt64("requeued"),
                WaitingFor = r.ReadNullableString("waiting for"),
                Owner = r.ReadNullableString("owner"),
            };
        }
        return jobs;
    }

    private V1MasterSnapshot ReadV1MasterSnapshot(ref WireReader r)
    {
        var count = r.ReadCount("snapshot job count");
        var jobs = new SubmitJob[count];
        var done = new IReadOnlyList<int>[count];
        for (var i = 0; i < count; i++)
        {
            jobs[i] = ReadSubmitJob(ref r, withTrace: false);
            done[i] = WireLayouts.ReadIndexes(ref r, "done chunk indexes");
        }
        return new V1MasterSnapshot(jobs, done);
    }

    private static MessageFragment ReadMessageFragment(ref WireReader r, byte[] bytes)
    {
        var transferId = r.ReadString("transfer id");
        var index = r.ReadInt32("fragment index");
        var count = r.ReadInt32("fragment count");
        var manifest = r.ReadString("fragment manifest");
        var total = r.ReadInt64("total bytes");
        var offset = r.ReadInt64("fragment offset");
        var length = r.ReadCount("fragment length");
        var at = r.Position;
        r.ReadRaw("fragment data", length);
        var data = bytes.AsMemory(at, length);
        return new MessageFragment(transferId, index, count, manifest, total, offset, data);
    }

    private IActorRef ReadActorRef(ref WireReader r, string field)
    {
        var path = r.ReadString(field);
        return path.Length == 0 ? ActorRefs.Nobody : system.Provider.ResolveActorRef(path);
    }

    private static string ManifestName(string manifest) =>
        manifest == TracedSubmitJobManifest ? nameof(SubmitJob) : manifest == StraightRunTasksManifest ? nameof(RunTasks) : Manifests.FirstOrDefault(p => p.Value == manifest).Key?.Name ?? "?";

    private static SerializationException Unsupported(object? o) =>
        new($"FarmMessageSerializer cannot serialize {o?.GetType().FullName ?? "null"}: every farm protocol message " +
            "needs a manifest and a wire layout in FarmMessageSerializer");
}
