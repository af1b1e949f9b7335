using Gateway.Access;
using Gateway.Access.Lists;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.TestSupport;

/// <summary>Changes a running gateway's access lists through its own writer, as the runtime API does.</summary>
public static class AccessLists
{
    public static async Task AddAsync(TestGateway gateway, string list, string pattern)
    {
        var writer = gateway.Services.GetRequiredService<AccessWriter>();
        Assert.True(writer.State.TryGetList(list, out var target));
        Assert.True(IpPattern.TryParse(pattern, out var parsed));
        await writer.AddEntryAsync(target, pattern, parsed, null, "test");
    }
}
