using System.Globalization;
using ActorFarm.SharedMemory;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.SharedMemory;

/// <summary>Lifetime of shared arrays: create, open by name, dispose deletes, the sweep removes what dead processes left.</summary>
public sealed class SharedArrayTests
{
    [Fact]
    public void An_array_is_a_file_in_shared_memory_that_another_mapping_opens_by_name_and_sees_in_place()
    {
        using var created = SharedArray<double>.Create(1000);
        Assert.True(File.Exists(created.FilePath));
        Assert.StartsWith(SharedMemoryFiles.OwnPrefix, created.Name);
        if (OperatingSystem.IsLinux())
            Assert.Equal("/dev/shm", SharedMemoryFiles.Directory);
        Assert.Equal(8000, new FileInfo(created.FilePath).Length);
        Assert.True(created.IsOwner);

        for (var i = 0; i < created.Length; i++)
            created[i] = i;

        using (var opened = SharedArray<double>.Open(created.Name))
        {
            Assert.False(opened.IsOwner);
            Assert.Equal(1000, opened.Length);
            Assert.Equal(999.0, opened[999]);
            opened.Span[5] = -1;             // a write through one mapping…
        }
        Assert.Equal(-1.0, created[5]);      // …is seen through the other
        Assert.True(File.Exists(created.FilePath)); // a non-owner's dispose only unmaps
        Assert.Equal(42.0, created.Memory.Span[42]);
        Assert.Equal([2.0, 3.0], created.AsSpan(2, 4).ToArray());
    }

    [Fact]
    public void Disposing_the_creator_deletes_the_file_and_later_use_throws()
    {
        var array = SharedArray<long>.Create(10);
        var path = array.FilePath;
        array.Dispose();

        Assert.False(File.Exists(path));
        Assert.Throws<ObjectDisposedException>(() => array.Span.Length);
        Assert.Throws<FileNotFoundException>(() => SharedArray<long>.Open(array.Name));
        array.Dispose(); // twice is fine
    }

    [Fact]
    public void An_empty_array_works_and_names_from_outside_are_checked()
    {
        using var empty = SharedArray<int>.Create(0);
        Assert.Equal(0, empty.Span.Length);
        Assert.Throws<ArgumentException>(() => SharedArray<int>.Open("../../etc/passwd"));
        Assert.Throws<ArgumentException>(() => SharedArray<int>.Open("actorfarm-1-2-nothex"));
    }

    [Fact]
    public void The_sweep_deletes_files_of_dead_creators_and_of_reused_pids_but_not_live_ones()
    {
        using var live = SharedArray<byte>.Create(16);
        // A creator that no longer exists (no such pid), and one whose pid now belongs to another process
        // (this one: same pid, different start time), as a crash would leave them.
        var dead = Path.Combine(SharedMemoryFiles.Directory,
            string.Create(CultureInfo.InvariantCulture, $"actorfarm-2147483646-12345-{Guid.NewGuid():N}"));
        var reused = Path.Combine(SharedMemoryFiles.Directory,
            string.Create(CultureInfo.InvariantCulture, $"actorfarm-{Environment.ProcessId}-1-{Guid.NewGuid():N}"));
        var foreign = Path.Combine(SharedMemoryFiles.Directory, $"not-ours-{Guid.NewGuid():N}");
        File.WriteAllBytes(dead, new byte[8]);
        File.WriteAllBytes(reused, new byte[8]);
        File.WriteAllBytes(foreign, new byte[8]);
        try
        {
            Assert.True(SharedMemoryFiles.SweepStale() >= 2);

            Assert.False(File.Exists(dead));
            Assert.False(File.Exists(reused));
            Assert.True(File.Exists(live.FilePath));
            Assert.True(File.Exists(foreign)); // not a farm file: never touched
        }
        finally
        {
            File.Delete(dead);
            File.Delete(reused);
            File.Delete(foreign);
        }
    }

    [Fact]
    public async Task A_workers_kept_mapping_writes_through_and_is_closed_soon_after_the_creator_deletes_the_file()
    {
        var array = SharedArray<long>.Create(1024);
        // What a worker process does for a task: map the array (once), work on a slice through the mapping.
        MappingCache.With(array.Name, 8 * 100, 8 * 10, pointer =>
        {
            unsafe
            {
                new Span<long>((void*)pointer, 10).Fill(7);
            }
        });
        Assert.Equal(7, array[100]);
        Assert.Equal(7, array[109]);
        Assert.Equal(0, array[110]);
        Assert.True(MappingCache.Count >= 1);

        array.Dispose(); // deletes the file: the kept mapping must not hold the memory for long
        await Polling.UntilAsync(() => MappingCache.Count == 0, "the kept mapping of the deleted array released", TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(50));
    }
}

