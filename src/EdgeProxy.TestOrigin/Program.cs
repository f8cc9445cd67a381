using EdgeProxy.TestOrigin;

// Standalone controllable origin: dotnet run --project src/EdgeProxy.TestOrigin -- --port 19001 --name primary
var port = 19001;
var name = "origin";
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--port": port = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--name": name = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

await using var server = await TestOriginServer.StartAsync(new TestOriginOptions { Port = port, Name = name });
Console.WriteLine($"test origin '{name}' listening on {server.BaseAddress}");
// The origin's own host swallows SIGTERM/SIGINT (it only stops itself), so this program listens too.
var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; done.TrySetResult(); });
using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; done.TrySetResult(); });
await done.Task;
return 0;
