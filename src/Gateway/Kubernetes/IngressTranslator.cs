using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Access;
using Gateway.Routing;
using Gateway.Tls;

namespace Gateway.Kubernetes;

/// <summary>
/// Turns the watched resources into a <see cref="KubernetesFragment"/>: per path of each Ingress of our class a route
/// to a cluster of the Service's ready pods, the access policy its annotations ask for, and the certificates of its
/// TLS Secrets. An Ingress with a problem is not served, and every host it names is closed (answered 503 ahead of
/// every other route), so that a mistake can never fall through to a route that is open.
/// </summary>
internal sealed class IngressTranslator(KubernetesSettings settings)
{
    public const string ClosedCluster = KubernetesFragment.RoutePrefix + "closed";

    /// <summary>Closed hosts win over every other route for the host: routes with a lower Order are tried first.</summary>
    public const int ClosedOrder = -1_000_000;

    /// <summary>A defaultBackend yields to every rule that matches.</summary>
    public const int DefaultBackendOrder = 1_000_000;

    private const int FirstListId = 1_000_000;

    private readonly TlsSecrets _secrets = new();

    public IngressTranslation Translate(KubernetesSnapshot snapshot, FileView files, IReadOnlyDictionary<string, string> forcedRejections)
    {
        var build = new Builder(files);
        var accepted = new List<JsonElement>();
        var rejected = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var secretKeys = new HashSet<string>(StringComparer.Ordinal);
        var slices = ServiceEndpoints.ByService(snapshot.EndpointSlices.Values);

        // Oldest first, as ingress-nginx does: when two Ingresses claim the same host and path, the older one keeps it.
        var ours = snapshot.Ingresses.Values
            .Where(i => IngressClassFilter.IsOurs(i, snapshot.IngressClasses.Values, settings.IngressClass))
            .OrderBy(i => i.Meta("creationTimestamp") ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(i => i.ObjectKey(), StringComparer.Ordinal);
        foreach (var ingress in ours)
        {
            var key = ingress.ObjectKey();
            var problems = new List<string>();
            if (forcedRejections.TryGetValue(key, out var forced))
            {
                problems.Add(forced);
            }

            var annotations = IngressAnnotations.Parse(ingress.Map("metadata", "annotations"), files, problems);
            var paths = IngressRules.Read(ingress, problems);
            if (problems.Count > 0)
            {
                rejected[key] = problems;
                build.Close(ingress, paths);
                continue;
            }

            var ns = ingress.Meta("namespace") ?? "default";
            var access = build.Access(key, ns, ingress.Meta("name") ?? string.Empty, annotations);
            for (var i = 0; i < paths.Length; i++)
            {
                var path = paths[i];
                var clusterId = $"{KubernetesFragment.RoutePrefix}{key}/{path.ServiceName}:{path.ServicePort}";
                if (!build.Clusters.ContainsKey(clusterId))
                {
                    var destinations = ServiceEndpoints.Resolve(ns, path.Backend, snapshot.Services, slices, annotations.Https ? "https" : "http");
                    build.AddCluster(key, clusterId, Cluster(destinations, annotations));
                }

                var route = new ProxyRouteOptions
                {
                    Hosts = path.Host is null ? [] : [path.Host],
                    PathPrefix = path.Exact ? null : path.Path,
                    Path = path.Exact ? path.Path : null,
                    Cluster = clusterId,
                    Order = path.IsDefaultBackend ? DefaultBackendOrder : 0,
                    Access = access,
                    Acme = annotations.AcmeValue && path.Host is not null ? true : null,
                };
                if (!build.AddRoute(key, $"{KubernetesFragment.RoutePrefix}{key}/{i}", route, path))
                {
                    build.Notes.Add($"Ingress {key}: {path.Host ?? "*"}{path.Path} is already served by an older Ingress or the config files; this path is skipped.");
                }
            }

            foreach (var tls in ingress.Items("spec", "tls"))
            {
                if (tls.Str("secretName") is not { } secretName)
                {
                    continue;
                }

                var secretKey = ns + "/" + secretName;
                secretKeys.Add(secretKey);
                var (certificate, problem) = _secrets.Get(secretKey, snapshot.Secrets);
                if (certificate is not null)
                {
                    build.Certificates.Add(certificate);
                }
                else
                {
                    build.Notes.Add($"Ingress {key}: TLS Secret {secretKey} {problem}; its hosts get the default certificate.");
                }
            }

            accepted.Add(ingress);
        }

        _secrets.Retain(secretKeys);
        return new IngressTranslation(build.Fragment(), accepted, rejected, build.Notes);
    }

    private static ClusterOptions Cluster(ImmutableSortedDictionary<string, Uri> destinations, IngressAnnotations annotations)
    {
        var cluster = new ClusterOptions();
        foreach (var (name, address) in destinations)
        {
            cluster.Destinations[name] = new DestinationOptions { Address = address.ToString() };
        }

        cluster.Timeouts.Connect = annotations.Connect;
        cluster.Timeouts.Server = annotations.Server;
        cluster.Tls.Verify = annotations.Verify;
        return cluster;
    }

    /// <summary>Accumulates one translation; keeps route keys unique so that the route compiler never sees a clash.</summary>
    private sealed class Builder(FileView files)
    {
        private readonly ImmutableDictionary<string, ProxyRouteOptions>.Builder _routes = ImmutableDictionary.CreateBuilder<string, ProxyRouteOptions>(StringComparer.OrdinalIgnoreCase);
        private readonly ImmutableDictionary<string, AccessListOptions>.Builder _lists = ImmutableDictionary.CreateBuilder<string, AccessListOptions>(StringComparer.OrdinalIgnoreCase);
        private readonly ImmutableDictionary<string, string>.Builder _owners = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _routeKeys = new(files.RouteKeys, StringComparer.OrdinalIgnoreCase);
        private readonly SortedDictionary<string, (string? Host, string Prefix)> _closed = new(StringComparer.Ordinal);
        private int _nextListId = FirstListId;

        public ImmutableDictionary<string, ClusterOptions>.Builder Clusters { get; } = ImmutableDictionary.CreateBuilder<string, ClusterOptions>(StringComparer.OrdinalIgnoreCase);

        public List<ServerCertificate> Certificates { get; } = [];

        public List<string> Notes { get; } = [];

        public void AddCluster(string owner, string id, ClusterOptions cluster)
        {
            Clusters[id] = cluster;
            _owners["Gateway:Clusters:" + id] = owner;
        }

        public bool AddRoute(string owner, string id, ProxyRouteOptions route, IngressPath path)
        {
            if (!_routeKeys.Add(FileView.RouteKey(path.Host ?? string.Empty, route.Order ?? 0, path.Pattern)))
            {
                return false;
            }

            _routes[id] = route;
            _owners["Gateway:Routes:" + id] = owner;
            return true;
        }

        /// <summary>The access settings of an Ingress's routes; with whitelist-source-range, its own list.</summary>
        public RouteAccessOptions Access(string owner, string ns, string name, IngressAnnotations annotations)
        {
            var access = new RouteAccessOptions { Policy = annotations.Policy, List = annotations.List };
            if (!annotations.SourceRanges.IsEmpty)
            {
                var listName = ListName(ns, name);
                while (files.ListIds.Contains(_nextListId))
                {
                    _nextListId++;
                }

                _lists[listName] = new AccessListOptions { Id = _nextListId++, Entries = [.. annotations.SourceRanges] };
                _owners["Gateway:Access:Lists:" + listName] = owner;
                access.List = listName;
            }

            access.Reject.Action = annotations.RejectActionValue;
            access.Reject.Status = annotations.RejectStatusValue;
            access.Reject.Url = annotations.RejectUrlValue;
            access.Reject.Cluster = annotations.RejectClusterValue;
            return access;
        }

        /// <summary>Closes every host of a rejected Ingress (and, for rules without a host, their paths on any host).</summary>
        public void Close(JsonElement ingress, ImmutableArray<IngressPath> paths)
        {
            foreach (var host in IngressRules.Hosts(ingress))
            {
                _closed[host + "|/"] = (host, "/");
            }

            foreach (var path in paths.Where(p => p.Host is null && !p.IsDefaultBackend))
            {
                _closed["|" + path.Path] = (null, path.Path);
            }
        }

        public KubernetesFragment Fragment()
        {
            var index = 0;
            foreach (var (host, prefix) in _closed.Values)
            {
                _routes[$"{KubernetesFragment.RoutePrefix}closed/{index++}"] = new ProxyRouteOptions
                {
                    Hosts = host is null ? [] : [host],
                    PathPrefix = prefix,
                    Cluster = ClosedCluster,
                    Order = ClosedOrder,
                };
            }

            if (_closed.Count > 0)
            {
                Clusters[ClosedCluster] = new ClusterOptions();
            }

            return new KubernetesFragment
            {
                Routes = _routes.ToImmutable(),
                Clusters = Clusters.ToImmutable(),
                Lists = _lists.ToImmutable(),
                Certificates = [.. Certificates],
                Owners = _owners.ToImmutable(),
            };
        }

        private static string ListName(string ns, string name)
        {
            var readable = $"{KubernetesFragment.ListPrefix}{ns}.{name}";
            return readable.Length <= 64
                ? readable
                : KubernetesFragment.ListPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ns + "/" + name)))[..32];
        }
    }
}
