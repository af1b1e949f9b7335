using System.Runtime.InteropServices;

namespace Gateway.RuntimeApi;

/// <summary>
/// The few libc calls the Unix socket needs that .NET does not offer: user and group lookup by name (through NSS, so
/// LDAP and sssd accounts resolve as they do for <c>chown</c>) and changing a file's owner.
/// </summary>
internal static partial class UnixAccounts
{
    // struct passwd { char *pw_name; char *pw_passwd; uid_t pw_uid; gid_t pw_gid; ... } and
    // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; ... }: the ids follow two pointers on Linux (glibc, musl).
    private static readonly int IdOffset = 2 * IntPtr.Size;

    public static bool TryGetUid(string nameOrId, out int uid) => TryResolve(nameOrId, GetPasswordEntry, out uid);

    public static bool TryGetGid(string nameOrId, out int gid) => TryResolve(nameOrId, GetGroupEntry, out gid);

    /// <summary>Sets the owner and/or group (null leaves it); returns the errno on failure, 0 on success.</summary>
    public static int Chown(string path, int? uid, int? gid) =>
        ChangeOwner(path, uid ?? -1, gid ?? -1) == 0 ? 0 : Marshal.GetLastPInvokeError();

    private static bool TryResolve(string nameOrId, Func<string, IntPtr> lookup, out int id)
    {
        if (int.TryParse(nameOrId, System.Globalization.NumberStyles.None, null, out id))
        {
            return true;
        }

        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var entry = lookup(nameOrId);
        if (entry == IntPtr.Zero)
        {
            return false;
        }

        id = Marshal.ReadInt32(entry, IdOffset);
        return true;
    }

    [LibraryImport("libc", EntryPoint = "getpwnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetPasswordEntry(string name);

    [LibraryImport("libc", EntryPoint = "getgrnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetGroupEntry(string name);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ChangeOwner(string path, int owner, int group);
}
