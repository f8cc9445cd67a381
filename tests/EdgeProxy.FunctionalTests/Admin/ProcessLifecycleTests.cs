using System.Net;
using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;

namespace EdgeProxy.FunctionalTests.Admin;

/// <summary>The real process: the container's health-check command, start-up (inline I/O, warm-up) and SIGTERM draining.</summary>
public sealed class ProcessLifecycleTests : ProxiedOriginTest
{
    [Fact]
    public async Task HealthCheckCommand_HealthyAdmin_ExitsZero()
    {
        var (exitCode, stdout, _) = await EdgeProxyProcess.RunToExitAsync(["--healthcheck", new Uri(Proxy.AdminAddress, "/healthz").ToString()]);

        Assert.Equal(0, exitCode);
        Assert.Contains(": 200", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheckCommand_NothingListening_ExitsOne()
    {
        var (exitCode, _, _) = await EdgeProxyProcess.RunToExitAsync(["--healthcheck", new Uri(NetworkFaults.ClosedPort(), "/healthz").ToString()]);

        Assert.Equal(1, exitCode);
    }

    [Fact]
    public async Task Sigterm_InFlightRequestFinishesThenProcessExitsZero()
    {
        var ports = ProcessPorts.Reserve(2);
        var (proxyPort, adminPort) = (ports[0], ports[1]);
        using var process = EdgeProxyProcess.Start([], new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Proxy__Url"] = $"http://127.0.0.1:{proxyPort}",
            ["Kestrel__Endpoints__Admin__Url"] = $"http://127.0.0.1:{adminPort}",
            ["ReverseProxy__Clusters__primary__Destinations__origin1__Address"] = Origin.BaseAddress.ToString(),
            ["EdgeProxy__Lifecycle__DrainTimeout"] = "00:00:30",
        });
        var output = new OutputWatcher(process);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{proxyPort}"), Timeout = TimeSpan.FromSeconds(60) };
            await output.WaitForAsync("Application started");

            // The real process runs inline and warmed up before its listeners opened (18 requests: StartupWarmupTests).
            await output.WaitForAsync("; I/O inline; warm-up 18 requests in ");

            var inFlight = client.GetAsync("/drain/slow?gate=drain&size=5000");
            await Origin.Gates.WhenReceived("/drain/slow").WaitAsync(TimeSpan.FromSeconds(30));
            Signal(process.Id, "TERM");
            await output.WaitForAsync("Draining");
            Origin.Gates.Release("drain");

            using var response = await inFlight;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(5000, (await response.Content.ReadAsByteArrayAsync()).Length);
            using var exitDeadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(exitDeadline.Token);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Sigterm_DuringTheWarmup_ExitsZeroBeforeTheListenersOpen()
    {
        var ports = ProcessPorts.Reserve(2);
        var (proxyPort, adminPort) = (ports[0], ports[1]);
        using var process = EdgeProxyProcess.Start([], new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Proxy__Url"] = $"http://127.0.0.1:{proxyPort}",
            ["Kestrel__Endpoints__Admin__Url"] = $"http://127.0.0.1:{adminPort}",
            ["ReverseProxy__Clusters__primary__Destinations__origin1__Address"] = Origin.BaseAddress.ToString(),
            ["EdgeProxy__Warmup__HitDuration"] = "00:00:20", // longer than the test: the signal lands while the warm-up runs
            ["EdgeProxy__Warmup__Timeout"] = "00:00:30",
        });
        var output = new OutputWatcher(process);
        try
        {
            await output.WaitForAsync("Warming up before the listeners open");
            Signal(process.Id, "TERM");

            using var exitDeadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(exitDeadline.Token);
            Assert.Equal(0, process.ExitCode);
            await output.WaitForAsync("Stop signal during the warm-up: exiting before the listeners opened");
            Assert.False(output.Saw("Now listening"), "the listeners opened after the stop signal");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", $"-{signal} {pid}");
        kill.WaitForExit();
    }

    /// <summary>Reads a child process's stdout and lets a test wait for a line containing some text.</summary>
    private sealed class OutputWatcher
    {
        private readonly List<string> _lines = [];
        private readonly List<(string Text, TaskCompletionSource Seen)> _waits = [];

        public OutputWatcher(System.Diagnostics.Process process)
        {
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }

                lock (_lines)
                {
                    _lines.Add(e.Data);
                    foreach (var (text, seen) in _waits)
                    {
                        if (e.Data.Contains(text, StringComparison.Ordinal))
                        {
                            seen.TrySetResult();
                        }
                    }
                }
            };
            process.BeginOutputReadLine();
        }

        public bool Saw(string text)
        {
            lock (_lines)
            {
                return _lines.Exists(l => l.Contains(text, StringComparison.Ordinal));
            }
        }

        public async Task WaitForAsync(string text)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lines)
            {
                if (_lines.Exists(l => l.Contains(text, StringComparison.Ordinal)))
                {
                    return;
                }

                _waits.Add((text, seen));
            }

            try
            {
                await seen.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                lock (_lines)
                {
                    throw new Xunit.Sdk.XunitException($"no line with '{text}' in:\n{string.Join("\n", _lines)}");
                }
            }
        }
    }
}
