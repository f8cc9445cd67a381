using EdgeProxy;
using EdgeProxy.Configuration;

try
{
    var app = EdgeProxyHost.Build(args);
    await app.RunAsync();
    return 0;
}
catch (EdgeProxyConfigurationException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
