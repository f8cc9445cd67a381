using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace EdgeProxy.Collapsing;

/// <summary>
/// YARP starts a response only with its first body byte; a fill publishes its head to the waiters as
/// soon as the origin's headers are in (after the other response transforms), unless another layer
/// has wrapped the fill's body feature and decides itself when the response starts.
/// </summary>
internal sealed class FillHeadersTransformProvider : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) =>
        context.AddResponseTransform(static transform =>
        {
            var features = transform.HttpContext.Features;
            if (transform.ProxyResponse is not null && features.Get<FillResponseFeature>() is { } fill
                && ReferenceEquals(features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>(), fill))
            {
                return new ValueTask(fill.StartAsync(transform.CancellationToken));
            }

            return ValueTask.CompletedTask;
        });
}
