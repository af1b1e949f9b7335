using Microsoft.OpenApi;

namespace Gateway.RuntimeApi.AdminApi;

/// <summary>What the generated OpenAPI document cannot infer: the title, and the bearer key every operation needs.</summary>
internal static class AdminApiOpenApi
{
    public const string SchemeName = "bearer";

    public static void Describe(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Gateway admin API",
            Version = "v1",
            Description = "Access lists, KATs, sessions, routes, clusters and destinations. Every call needs Authorization: Bearer <key>; " +
                "keys are configured hashed under Gateway:AdminApi:Keys (see `gateway hash-key`).",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An admin API key.",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] }];
    }
}
