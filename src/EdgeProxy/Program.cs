using EdgeProxy;
using EdgeProxy.Admin;
using EdgeProxy.Configuration;
using EdgeProxy.Server;
using Microsoft.Extensions.Options;

if (args.Length == 2 && args[0] == HealthCheckCommand.Flag)
{
    return await HealthCheckCommand.RunAsync(args[1], Console.Out);
}

try
{
    var app = EdgeProxyHost.Build(args);

    // Compile the request paths on a private loopback instance before the listeners open (see StartupWarmup). A stop
    // signal meanwhile ends the warm-up and the process: no listener has opened, so there is nothing to drain.
    var warmup = app.Services.GetRequiredService<IOptions<EdgeProxyOptions>>().Value.Warmup;
    var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartupWarmup).FullName!);
    using var stop = new CancellationTokenSource();
    using (StartupWarmup.StopSignals(stop))
    {
        if (warmup.Enabled)
        {
            AdminLog.WarmingUp(log, warmup.Timeout);
        }

        app.Services.GetRequiredService<WarmupReport>().Result = await StartupWarmup.RunAsync(app.Configuration, warmup, stop.Token);
    }

    if (stop.IsCancellationRequested)
    {
        AdminLog.StoppedDuringWarmup(log);
        await app.DisposeAsync();
        return 0;
    }

    await app.RunAsync();
    return 0;
}
catch (EdgeProxyConfigurationException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    // A listener's port is taken: one clear line and exit code 3 rather than an unhandled-exception abort.
    await Console.Error.WriteLineAsync($"listeners: {ex.Message}");
    return 3;
}
