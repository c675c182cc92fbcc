using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// Syncs a connection's database file through SQLite's own file handle, which Microsoft.Data.Sqlite does not reach. A
/// handle of our own would flush the same file (an fsync is of the file, not of the descriptor), but closing it would
/// drop every POSIX lock this process holds on the file, SQLite's included, and so let another process delete a WAL
/// that is still in use.
/// </summary>
internal static unsafe partial class SqliteFileSync
{
    private const int FileControlFilePointer = 7; // SQLITE_FCNTL_FILE_POINTER
    private const int SyncNormal = 2; // SQLITE_SYNC_NORMAL

    /// <summary>The start of sqlite3.h's <c>sqlite3_io_methods</c>, which is public and only grows at its end.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct IoMethods
    {
        public int Version;
        public IntPtr Close;
        public IntPtr Read;
        public IntPtr Write;
        public IntPtr Truncate;
        public delegate* unmanaged<IntPtr, int, int> Sync;
    }

    private const string Library = "e_sqlite3";

    private static bool? s_available;

    /// <summary>
    /// Whether the SQLite that Microsoft.Data.Sqlite calls is the bundled library this class calls too (the loader hands
    /// back the one already loaded): a connection of another library's must never reach this one's functions. Asked
    /// once a connection has been made, when Microsoft.Data.Sqlite has chosen its library.
    /// </summary>
    public static bool Available => s_available ??= string.Equals(SQLitePCL.raw.GetNativeLibraryName(), Library, StringComparison.Ordinal);

    [LibraryImport(Library, EntryPoint = "sqlite3_file_control")]
    private static partial int FileControl(IntPtr db, byte* schema, int op, void* arg);

    /// <summary>Flushes the main database file of an open connection to disk; the connection must not be in use meanwhile.</summary>
    public static void SyncDatabaseFile(SqliteConnection connection)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        if (!Available)
        {
            throw new NotSupportedException($"SQLite is {SQLitePCL.raw.GetNativeLibraryName()}, not the bundled {Library}.");
        }

        IntPtr file = 0;
        int rc;
        fixed (byte* main = "main"u8) // a u8 literal ends in a NUL
        {
            rc = FileControl(db.DangerousGetHandle(), main, FileControlFilePointer, &file);
        }

        if (rc != 0 || file == 0)
        {
            throw new SqliteException($"SQLite gave no file handle for {connection.DataSource} (error {rc}).", rc);
        }

        // sqlite3.h: a sqlite3_file begins with its methods, null while the file is not open (a temporary database)
        var methods = *(IoMethods**)file;
        if (methods == null || methods->Sync == null)
        {
            throw new SqliteException($"SQLite has no open file for {connection.DataSource} to sync.", 21); // SQLITE_MISUSE
        }

        rc = methods->Sync(file, SyncNormal);
        if (rc != 0)
        {
            throw new SqliteException($"Syncing {connection.DataSource} to disk failed (SQLite error {rc}).", rc);
        }
    }
}
