//! Query calls of ORMs and query builders other than Prisma.
