using ActorFarm.Client;
using Spectre.Console;

namespace ActorFarm.Node.Output;

/// <summary>
/// A Spectre progress bar on stderr fed by the farm's <see cref="FarmProgress"/> reports. The farm reports
/// on the thread that reads results; a Spectre task is thread-safe and redraws on its own timer, so a
/// report only stores numbers.
/// </summary>
internal sealed class ProgressBar : IProgress<FarmProgress>
{
    private readonly ProgressTask _task;
    private readonly string _title;

    private ProgressBar(ProgressTask task, string title)
    {
        _task = task;
        _title = title;
    }

    /// <summary>Runs <paramref name="job"/> while a bar on stderr shows its progress; the bar is cleared at the end.</summary>
    public static Task ShowWhileAsync(string title, long? totalItems, Func<IProgress<FarmProgress>, Task> job) =>
        Terminal.Stderr().Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(title), autoStart: true, maxValue: Math.Max(1, totalItems ?? 1));
                // A stream of unknown length has no percentage: the bar pulses and the title counts items.
                task.IsIndeterminate = totalItems is null;
                await job(new ProgressBar(task, title)).ConfigureAwait(false);
            });

    public void Report(FarmProgress value)
    {
        if (value.ItemsTotal is { } total)
        {
            _task.MaxValue = Math.Max(1, total);
            _task.Value = value.ItemsDone;
        }
        else
        {
            _task.Description = Markup.Escape($"{_title}: {value.ItemsDone:N0} items");
        }
    }
}
