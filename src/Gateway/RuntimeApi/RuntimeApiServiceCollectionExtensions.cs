using Gateway.Hosting;
using Gateway.RuntimeApi.AdminApi;
using Gateway.RuntimeApi.Commands;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.RuntimeApi;

internal static class RuntimeApiServiceCollectionExtensions
{
    /// <summary>The admin API's OpenAPI document (and endpoint group) name.</summary>
    public const string AdminApiDocument = "v1";

    /// <summary>The HAProxy-compatible runtime API (Unix and TCP sockets) and the JSON admin API beside it.</summary>
    public static IServiceCollection AddRuntimeApi(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AclCommands>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICliCommandFamily, CliCommands>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICliCommandFamily, AclCommands>(sp => sp.GetRequiredService<AclCommands>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICliCommandFamily, MapCommands>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICliCommandFamily, ServerCommands>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICliCommandFamily, StatsCommands>());
        services.TryAddSingleton(sp => new CommandTable(sp.GetServices<ICliCommandFamily>()));
        services.TryAddSingleton<RuntimeApiHost>();
        services.AddHostedService(sp => sp.GetRequiredService<RuntimeApiHost>());
        services.TryAddSingleton<ApiKeyFilter>();
        services.AddOpenApi(AdminApiDocument, options =>
        {
            options.ShouldInclude = description => description.GroupName == AdminApiDocument;
            options.AddDocumentTransformer((document, _, _) =>
            {
                AdminApiOpenApi.Describe(document);
                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>
    /// The JSON admin API under <c>/api/v1</c> and its OpenAPI document (<c>/api/v1/openapi.json</c>), on the management
    /// listener only: the public listeners never serve them.
    /// </summary>
    public static WebApplication MapAdminApi(this WebApplication app)
    {
        var scope = new ListenerScopeMetadata(ListenerKind.Management);
        var api = app.MapGroup("/api/v1")
            .WithMetadata(scope)
            .WithGroupName(AdminApiDocument)
            .AddEndpointFilter<ApiKeyFilter>()
            .DisableAntiforgery();
        ListEndpoints.Map(api);
        SessionEndpoints.Map(api);
        RoutingEndpoints.Map(api);
        app.MapOpenApi("/api/v1/openapi.json").WithMetadata(scope);
        return app;
    }
}
