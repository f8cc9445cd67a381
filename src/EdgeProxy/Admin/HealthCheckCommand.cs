namespace EdgeProxy.Admin;

/// <summary>
/// <c>EdgeProxy --healthcheck URL</c>: GETs the URL and exits 0 on 200, 1 otherwise. The container's
/// HEALTHCHECK uses it because the runtime image has no curl or wget.
/// </summary>
internal static class HealthCheckCommand
{
    public const string Flag = "--healthcheck";

    public static async Task<int> RunAsync(string url, TextWriter output)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await client.GetAsync(new Uri(url));
            await output.WriteLineAsync($"{url}: {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            await output.WriteLineAsync($"{url}: {ex.Message}");
            return 1;
        }
    }
}
