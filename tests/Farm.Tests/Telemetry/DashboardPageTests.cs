using System.Globalization;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Network;
using ActorFarm.Testing.Processes;
using Microsoft.Playwright;

namespace ActorFarm.Tests.Telemetry;

/// <summary>
/// <c>farm node --dashboard-port</c> in a real headless browser (Debian's chromium, driven by Playwright): a master node
/// and a worker node, the page open while a job runs; the page shows the worker, the job's progress reaching 100 %, and
/// the worker's timeline coloured by the job. A screenshot of the page mid-job is left in the test's output folder
/// (<c>dashboard.png</c>; the README's picture is one of them).
/// </summary>
public sealed class DashboardPageTests
{
    /// <summary>Debian's chromium: Playwright's own browser download does not work on these machines.</summary>
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task The_page_shows_the_worker_and_a_job_reaching_100_percent_while_it_runs()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: scripts/test.sh installs it (apt-get install chromium)");
        var port = LoopbackPorts.Free();
        await using var cluster = await LocalFarmCluster.StartAsync(new LocalFarmClusterOptions
        {
            WorkerNodes = 1,
            WorkersPerNode = 2,
            MasterArguments = ["--dashboard-port", port.ToString(CultureInfo.InvariantCulture)],
        });
        var worker = cluster.Workers[0].Address!;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox"], // as root in CI
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        await page.GotoAsync($"http://127.0.0.1:{port}/");
        var workerRows = page.Locator("#workers tr[data-worker]");
        await Assertions.Expect(workerRows).ToHaveCountAsync(2, new LocatorAssertionsToHaveCountOptions { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#workers tbody")).ToContainTextAsync(worker);

        // Sleeps of 0..159 ms in chunks of 4 on two workers: about 6.4 s, long enough to be seen running and moving.
        var job = FarmCommand.RunAsync(["map", "sleep", "--range", "0:160", "--chunk-size", "4", "--contact", cluster.MasterAddress],
            stdin: null, TimeSpan.FromSeconds(90));
        var running = page.Locator("#jobs tr[data-job-id][data-state=running]");
        await Assertions.Expect(running).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = 30_000 });
        // The timeline of a busy worker shows a second in the job's colour.
        await Assertions.Expect(page.Locator("#workers .timeline i[style]").First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 30_000 });
        // The page follows the job as it goes: a third done while it still runs.
        await page.WaitForFunctionAsync("""
            () => { const p = document.querySelector('#jobs tr[data-state=running] .percent'); return p !== null && parseFloat(p.textContent) >= 30; }
            """, null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "dashboard.png"), FullPage = true });

        var run = await job;
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(Enumerable.Range(0, 160).Select(i => i.ToString(CultureInfo.InvariantCulture)), run.StdoutLines);
        var completed = page.Locator("#jobs tr[data-job-id][data-state=completed]");
        await Assertions.Expect(completed).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = 30_000 });
        await Assertions.Expect(completed.Locator(".percent")).ToHaveTextAsync("100 %");
        // 40 chunks done, none left, nothing failed.
        var cells = await completed.Locator("td.num").AllInnerTextsAsync();
        Assert.Equal(new[] { "40", "0", "0" }, cells.Take(3).ToArray());
        Assert.Equal("0", cells[5]);
    }
}
