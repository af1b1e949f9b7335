using System.Text.Json;

namespace Gateway.Kubernetes;

/// <summary>
/// Which Ingresses are this gateway's: those naming its class (<c>spec.ingressClassName</c>, or the older
/// <c>kubernetes.io/ingress.class</c> annotation), and those naming none when its IngressClass is marked
/// <c>ingressclass.kubernetes.io/is-default-class: "true"</c>. Ingresses of other classes belong to other controllers.
/// </summary>
internal static class IngressClassFilter
{
    public const string LegacyClassAnnotation = "kubernetes.io/ingress.class";
    public const string DefaultClassAnnotation = "ingressclass.kubernetes.io/is-default-class";

    public static bool IsOurs(JsonElement ingress, IEnumerable<JsonElement> classes, string ourClass)
    {
        var named = ingress.Str("spec", "ingressClassName");
        if (named is null)
        {
            ingress.Map("metadata", "annotations").TryGetValue(LegacyClassAnnotation, out named);
        }

        if (named is not null)
        {
            return named == ourClass;
        }

        return classes.Any(c => c.Meta("name") == ourClass &&
            c.Map("metadata", "annotations").TryGetValue(DefaultClassAnnotation, out var isDefault) &&
            isDefault.Trim().Equals("true", StringComparison.OrdinalIgnoreCase));
    }
}
