using System.Diagnostics;

namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>Runs Debian's <c>chromium</c> headless against a URL: dump the DOM after the scripts ran, or take a screenshot.</summary>
public static class HeadlessChromium
{
    public const string Executable = "/usr/bin/chromium";

    public static Task<string> DumpDomAsync(Uri url) => RunAsync(url, "--dump-dom");

    public static async Task ScreenshotAsync(Uri url, string path)
    {
        await RunAsync(url, $"--screenshot={path}", "--window-size=1280,900", "--hide-scrollbars");
        if (!File.Exists(path))
        {
            throw new Xunit.Sdk.XunitException($"chromium wrote no screenshot at {path}");
        }
    }

    private static async Task<string> RunAsync(Uri url, params string[] mode)
    {
        if (!File.Exists(Executable))
        {
            throw new Xunit.Sdk.XunitException($"{Executable} is missing: apt-get install -y chromium (.ci/run installs it)");
        }

        var profile = Directory.CreateTempSubdirectory("edgeproxy-chromium-");
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--virtual-time-budget=3000", $"--user-data-dir={profile.FullName}" })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var arg in mode)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add(url.ToString());
        using var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException("chromium did not finish within 60 s: " + await stderr);
        }
        finally
        {
            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }

        if (process.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"chromium exited {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }
}
